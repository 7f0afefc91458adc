package dev.servicelab.provisioner;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import dev.servicelab.provisioner.docker.DockerSandboxSettings;
import dev.servicelab.provisioner.kit.KitImages;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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

    /** Two echo pods (app=web, port 8080) behind a Service web on port 80, in default. */
    public static void deployEchoWeb(KubernetesClient client) {
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("echo").withImage(images().echo())
                .withImagePullPolicy("IfNotPresent").addNewPort().withContainerPort(8080).endPort().endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).withTargetPort(new IntOrString(8080))
                .endPort().endSpec().build()).create();
    }
}
