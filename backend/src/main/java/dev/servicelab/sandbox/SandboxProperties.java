package dev.servicelab.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Sandboxes: which image, how big, how many, for how long.
 *
 * @param enabled whether this server makes sandboxes at all (off: labs can be read, not run)
 * @param image node image; empty means the kit's local build named in sandbox-provisioner/kit/versions.env
 * @param toolboxImage image of the learner's terminal and of the probes; empty means the kit's
 * @param hostAddress where the platform reaches ports Docker publishes (the API server's)
 * @param platformId label on every sandbox container of this installation
 */
@ConfigurationProperties("servicelab.sandbox")
public record SandboxProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") String image,
        @DefaultValue("") String toolboxImage,
        @DefaultValue("") List<String> extraServerArgs,
        @DefaultValue("localhost") String hostAddress,
        @DefaultValue("servicelab") String platformId,
        @DefaultValue("1536MB") DataSize memory,
        @DefaultValue("1.5") double cpus,
        @DefaultValue("5m") Duration startupTimeout,
        Path imagesDirectory,
        @DefaultValue("1") int warmPool,
        @DefaultValue("1") int maxPerLearner,
        @DefaultValue("8") int maxTotal,
        @DefaultValue("2") int maxConcurrentStarts,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("4h") Duration hardTtl,
        @DefaultValue("1h") Duration extension,
        @DefaultValue("3s") Duration healthInterval) {
}
