package dev.servicelab.sandbox;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Sandboxes: which image, how big, how many, for how long.
 *
 * @param enabled whether this server makes sandboxes at all (off: labs can be read, not run)
 * @param image node image; empty means the kit's local build named in sandbox-provisioner/kit/versions.env
 * @param toolboxImage image of the learner's terminal and of the probes; empty means the kit's
 * @param hostAddress where the platform reaches ports Docker publishes (the API server's)
 * @param platformId label on every sandbox container of this installation
 * @param provider where sandboxes run: {@code docker} (containers on this host's engine) or
 *     {@code kubernetes} (pods in {@code kubernetes.namespace} of the cluster the platform runs in)
 * @param platformContainer with docker: the container the platform runs in ({@code self}, a name or
 *     an id), joined to each sandbox network; empty when the platform runs on the host
 * @param startGrace with several replicas: how long a STARTING sandbox whose replica has stopped
 *     saying it is still starting it (every health interval) is left alone (zero for one instance: a
 *     restart interrupted it)
 * @param activityWriteInterval how often a sandbox's activity (keystrokes, checks, traffic) is written
 *     to the database at most; idle timeouts are precise to about this much
 * @param pidsLimit with docker: most processes per node container, its pods included (0: no limit)
 * @param egressAllow with docker: CIDRs that sandbox pods may reach beyond their own cluster (default
 *     none; {@code 0.0.0.0/0} opens the public internet, a private range must be named itself)
 * @param nodeInternet with docker: the nodes' own processes may reach the public internet (a node
 *     image that pulls from registries, such as {@code rancher/k3s}); pods never get it from this
 * @param freezeAfter a learner's sandbox unused this long is frozen (paused; opening the lab resumes it in
 *     about a second); zero: never. The kubernetes provider cannot pause pods: there it is only when a
 *     learner counts as away (their sandbox may be hibernated to make room)
 * @param hibernateAfter unused this long, its cluster is saved in the database and the sandbox removed
 *     (opening the lab restores it); zero: never, the idle timeout removes it
 * @param snapshotInterval while in use, the cluster is saved this often if its learner did something,
 *     so a node that dies is restored from it; zero: never
 * @param queueLeaveAfter a learner waiting in the queue (the host was full) whose lab page has not asked
 *     for this long has left: their place is given up
 * @param kubernetes the kubernetes provider's settings
 */
@Validated
@ConfigurationProperties("servicelab.sandbox")
public record SandboxProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") String image,
        @DefaultValue("") String toolboxImage,
        @DefaultValue("") List<String> extraServerArgs,
        @DefaultValue("localhost") String hostAddress,
        @DefaultValue("servicelab") @NotBlank String platformId,
        @DefaultValue("1536MB") DataSize memory,
        @DefaultValue("1.5") @Positive double cpus,
        @DefaultValue("5m") Duration startupTimeout,
        Path imagesDirectory,
        @DefaultValue("1") @Min(0) int warmPool,
        @DefaultValue("1") @Min(1) int maxPerLearner,
        @DefaultValue("8") @Min(1) int maxTotal,
        @DefaultValue("2") @Min(1) int maxConcurrentStarts,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("4h") Duration hardTtl,
        @DefaultValue("1h") Duration extension,
        @DefaultValue("3s") Duration healthInterval,
        @DefaultValue("docker") @NotNull Provider provider,
        @DefaultValue("") String platformContainer,
        @DefaultValue("0s") Duration startGrace,
        @DefaultValue("10s") Duration activityWriteInterval,
        @DefaultValue("2048") @Min(0) int pidsLimit,
        @DefaultValue("") List<String> egressAllow,
        @DefaultValue("false") boolean nodeInternet,
        @DefaultValue("10m") Duration freezeAfter,
        @DefaultValue("30m") Duration hibernateAfter,
        @DefaultValue("5m") Duration snapshotInterval,
        @DefaultValue("1m") Duration queueLeaveAfter,
        @DefaultValue @Valid Kubernetes kubernetes) {

    /** Where sandboxes run; the setting takes {@code docker} or {@code kubernetes}. */
    public enum Provider {
        DOCKER, KUBERNETES
    }

    /**
     * @param namespace where sandbox pods and Services are made (the platform's RBAC covers only it)
     * @param kubeconfig a kubeconfig file; empty means in-cluster (the pod's ServiceAccount) or ~/.kube/config
     * @param memoryRequest memory requested per node pod (the limit is {@code memory})
     * @param cpuRequest CPU requested per node pod (the limit is {@code cpus})
     * @param runtimeClass runtime class of the node pods (e.g. a sandboxed runtime); empty for the default
     * @param clusterCidr each sandbox's own pod range; it must not overlap the host cluster's pod and
     *     Service ranges (k3s, and so most small hosts, use 10.42/16 and 10.43/16; kubeadm 10.244/16 and 10.96/12)
     * @param serviceCidr each sandbox's own Service range, likewise apart from the host's
     */
    public record Kubernetes(
            @DefaultValue("servicelab-sandboxes") String namespace,
            @DefaultValue("") String kubeconfig,
            @DefaultValue("512Mi") String memoryRequest,
            @DefaultValue("250m") String cpuRequest,
            @DefaultValue("") String runtimeClass,
            @DefaultValue("10.142.0.0/16") String clusterCidr,
            @DefaultValue("10.143.0.0/16") String serviceCidr) {
    }
}
