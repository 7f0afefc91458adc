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
        String hostAddress) {

    public DockerSandboxSettings {
        extraServerArgs = List.copyOf(extraServerArgs);
    }
}
