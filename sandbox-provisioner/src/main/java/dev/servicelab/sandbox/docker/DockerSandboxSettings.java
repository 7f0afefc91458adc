package dev.servicelab.sandbox.docker;

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
 * @param hostAddress where the platform reaches ports that Docker publishes on the host
 * @param platformContainer the container the platform itself runs in (name, id, or {@code self} for
 *     the container whose id prefix is this host's name), attached to every sandbox network so that
 *     checks reach node IPs (NodePort, tunnel); null or blank when the platform runs on the host
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
        String platformContainer) {

    public DockerSandboxSettings {
        // An unset list property binds as [""], which the node would take for an argument.
        extraServerArgs = extraServerArgs.stream().filter(a -> !a.isBlank()).toList();
    }

    /** Settings for a platform that runs on the Docker host itself. */
    public DockerSandboxSettings(String image, String toolboxImage, List<String> extraServerArgs, Duration startupTimeout,
            long memoryBytes, double cpus, String platformId, Path imagesDirectory, String hostAddress) {
        this(image, toolboxImage, extraServerArgs, startupTimeout, memoryBytes, cpus, platformId, imagesDirectory,
                hostAddress, null);
    }

    public boolean platformInDocker() {
        return platformContainer != null && !platformContainer.isBlank();
    }
}
