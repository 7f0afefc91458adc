package dev.servicelab.provisioner.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the Docker provisioner makes sandboxes.
 *
 * @param image the node image: the kit's local build, or a public {@code rancher/k3s} tag
 * @param toolboxImage the image of the learner's terminal and the platform's probes
 * @param extraServerArgs added to {@code server} (k3s flags; the kit's node accepts the same)
 * @param startupTimeout how long a sandbox may take to become ready before it counts as failed
 * @param memoryBytes memory cap of each node container (0 for none)
 * @param cpus CPU cap of each node container (0 for none)
 * @param platformId written on every container, so several installations can share one Docker engine
 * @param imagesDirectory image tarballs copied into each node's {@code agent/images/} (null: none)
 * @param hostAddress where the platform on the host reaches ports that Docker publishes (on the
 *     host's loopback only: learners' pods and other hosts never see them)
 * @param platformContainer the container the platform itself runs in (name, id, or {@code self} for
 *     the container whose id prefix is this host's name), attached to every sandbox network so that
 *     checks reach node IPs (NodePort, tunnel) and the API server; null or blank when the platform runs
 *     on the host
 * @param pidsLimit most processes (and threads) in each node container, pods included (0 for none):
 *     a fork bomb stops there instead of exhausting the host's
 * @param egressAllow CIDRs that sandbox pods may reach beyond their own cluster (default none:
 *     labs need no internet); see {@link EgressPolicy}
 * @param nodeInternet whether the nodes' own processes may reach the public internet (a node image
 *     that pulls from registries, like the public {@code rancher/k3s}); pods never get it from this
 */
public record DockerSandboxSettings(
        String image,
        String toolboxImage,
        List<String> extraServerArgs,
        Duration startupTimeout,
        long memoryBytes,
        double cpus,
        String platformId,
        Path imagesDirectory,
        String hostAddress,
        String platformContainer,
        int pidsLimit,
        List<String> egressAllow,
        boolean nodeInternet) {

    public static final int DEFAULT_PIDS_LIMIT = 2048;

    public DockerSandboxSettings {
        // An unset list property binds as [""], which the node would take for an argument.
        extraServerArgs = extraServerArgs.stream().filter(a -> !a.isBlank()).toList();
        egressAllow = egressAllow == null ? List.of() : egressAllow.stream().filter(a -> !a.isBlank()).toList();
        if (pidsLimit < 0) {
            throw new IllegalArgumentException("servicelab.sandbox.pids-limit must be 0 (none) or more, not " + pidsLimit);
        }
    }

    /** Settings for a platform that runs on the Docker host itself. */
    public DockerSandboxSettings(String image, String toolboxImage, List<String> extraServerArgs, Duration startupTimeout,
            long memoryBytes, double cpus, String platformId, Path imagesDirectory, String hostAddress) {
        this(image, toolboxImage, extraServerArgs, startupTimeout, memoryBytes, cpus, platformId, imagesDirectory,
                hostAddress, null, DEFAULT_PIDS_LIMIT, List.of(), false);
    }

    /** The same settings with another egress allow-list. */
    public DockerSandboxSettings withEgressAllow(List<String> cidrs) {
        return new DockerSandboxSettings(image, toolboxImage, extraServerArgs, startupTimeout, memoryBytes, cpus,
                platformId, imagesDirectory, hostAddress, platformContainer, pidsLimit, cidrs, nodeInternet);
    }

    /** The same settings for a platform that runs in the given container. */
    public DockerSandboxSettings withPlatformContainer(String container) {
        return new DockerSandboxSettings(image, toolboxImage, extraServerArgs, startupTimeout, memoryBytes, cpus,
                platformId, imagesDirectory, hostAddress, container, pidsLimit, egressAllow, nodeInternet);
    }

    public boolean platformInDocker() {
        return platformContainer != null && !platformContainer.isBlank();
    }
}
