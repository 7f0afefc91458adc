package dev.servicelab.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs what the platform needs in every sandbox before a learner gets it: the learner's
 * ServiceAccount and bounded rights, the admission policy that guards Pod Security, the terminal
 * pod, and one probe pod per node for in-cluster checks.
 */
public final class SandboxBootstrap {

    public static final String NAMESPACE = "servicelab-system";
    public static final String TERMINAL_POD = "terminal";
    public static final String ROLE_LABEL = "servicelab.dev/role";

    private SandboxBootstrap() {
    }

    public static String probePod(SandboxNode.Role role) {
        return "probe-" + role.label();
    }

    public static void install(KubernetesClient client, String toolboxImage, int nodes, Duration timeout) {
        Manifests.apply(client, resource("platform.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage), NAMESPACE);
        List<SandboxNode.Role> roles = nodes == 2 ? List.of(SandboxNode.Role.SERVER, SandboxNode.Role.AGENT)
                : List.of(SandboxNode.Role.SERVER);
        for (SandboxNode.Role role : roles) {
            Manifests.apply(client, resource("probe-pod.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage)
                    .replace("${ROLE}", role.label()), NAMESPACE);
        }
        for (String pod : roles.stream().map(SandboxBootstrap::probePod).toList()) {
            waitReady(client, pod, timeout);
        }
        waitReady(client, TERMINAL_POD, timeout);
    }

    private static void waitReady(KubernetesClient client, String pod, Duration timeout) {
        client.pods().inNamespace(NAMESPACE).withName(pod).waitUntilCondition(SandboxBootstrap::ready,
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static boolean ready(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String resource(String name) {
        try (InputStream in = SandboxBootstrap.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
