package dev.servicelab.provisioner.kubernetes;

import java.time.Duration;
import java.util.List;

/**
 * How the Kubernetes provisioner makes sandboxes in an existing cluster.
 *
 * @param namespace where the sandboxes' pods and Services go (the platform's Role covers only it)
 * @param kubeconfig a kubeconfig file for the host cluster; blank: in-cluster or the usual defaults
 * @param image the node image (must be present on, or pullable by, the host cluster's nodes)
 * @param toolboxImage the image of the learner's terminal and of the probes
 * @param extraServerArgs added to {@code server}
 * @param startupTimeout how long a sandbox may take to become ready
 * @param memoryBytes memory limit of each node pod (0 for none)
 * @param cpus CPU limit of each node pod (0 for none)
 * @param memoryRequest memory request of each node pod (Kubernetes quantity), what the scheduler reserves
 * @param cpuRequest CPU request of each node pod
 * @param platformId label on everything made, so several installations can share a namespace
 * @param runtimeClass runtime class of the node pods; blank for the cluster's default
 * @param clusterCidr the sandboxes' own pod range; it must not overlap the host cluster's pod or
 *                    Service range, or a sandbox's pods could not reach its API (blank: the node's default)
 * @param serviceCidr the sandboxes' own Service range, likewise apart from the host's (blank: the node's default)
 */
public record KubernetesSandboxSettings(
        String namespace,
        String kubeconfig,
        String image,
        String toolboxImage,
        List<String> extraServerArgs,
        Duration startupTimeout,
        long memoryBytes,
        double cpus,
        String memoryRequest,
        String cpuRequest,
        String platformId,
        String runtimeClass,
        String clusterCidr,
        String serviceCidr) {

    public KubernetesSandboxSettings {
        // An unset list property binds as [""], which the node would take for an argument.
        extraServerArgs = extraServerArgs.stream().filter(a -> !a.isBlank()).toList();
    }
}
