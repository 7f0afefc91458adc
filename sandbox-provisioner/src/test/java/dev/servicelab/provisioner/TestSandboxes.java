package dev.servicelab.provisioner;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import dev.servicelab.provisioner.docker.DockerSandboxSettings;
import dev.servicelab.provisioner.kit.KitImages;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Sandboxes for tests: the kit's image, a platform id of their own, generous timeouts for 2 cores. */
public final class TestSandboxes {

    /**
     * Several test JVMs share one Docker engine: a platform id of this JVM's own keeps a manager's
     * reaper (SandboxLifecycleIT) from removing another run's sandboxes as orphans.
     */
    public static final String PLATFORM_ID = "servicelab-tests-" + UUID.randomUUID().toString().substring(0, 8);

    private TestSandboxes() {
    }

    public static KitImages images() {
        return KitImages.fromWorkingDirectory();
    }

    public static DockerSandboxProvisioner provisioner() {
        return new DockerSandboxProvisioner(settings());
    }

    public static DockerSandboxSettings settings() {
        return new DockerSandboxSettings(images().node(), images().toolbox(), List.of(), Duration.ofMinutes(4),
                1536L * 1024 * 1024, 1.5, PLATFORM_ID, null, "localhost");
    }

    public static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
