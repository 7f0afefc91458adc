package dev.servicelab.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Brings a freshly started sandbox to ready, whichever provisioner started its nodes: waits for the
 * nodes and cluster DNS, then installs what the platform needs before a learner gets it (the
 * learner's ServiceAccount and bounded rights, the admission policies that keep the learner out of
 * the platform's namespaces and enforce Pod Security, the namespace binder, the terminal pod, and
 * one sealed probe pod per node for in-cluster checks), and proves the learner is confined.
 */
public final class SandboxBootstrap {

    public static final String NAMESPACE = "servicelab-system";
    public static final String TERMINAL_POD = "terminal";
    public static final String ROLE_LABEL = "servicelab.dev/role";

    private SandboxBootstrap() {
    }

    public static final String BINDER_POD = "namespace-binder";

    public static String probePod(SandboxNode.Role role) {
        return ProbePods.name(role);
    }

    /** Everything after the API answers: nodes Ready, DNS ready, the platform's namespace and pods. */
    public static void prepare(KubernetesClient client, String sandboxId, int nodes, String toolboxImage,
            Duration timeout, SandboxProgress progress) {
        waitForNodes(client, nodes, timeout);
        progress.reached(sandboxId, SandboxPhase.NODE_READY);
        waitForDns(client, timeout);
        progress.reached(sandboxId, SandboxPhase.DNS_READY);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "baseline").endMetadata().build())
                .serverSideApply();
        install(client, toolboxImage, nodes, timeout);
    }

    public static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void waitForNodes(KubernetesClient client, int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            var nodes = client.nodes().list().getItems();
            if (nodes.size() >= count && nodes.stream().allMatch(SandboxBootstrap::ready)) {
                return;
            }
            pause();
        }
        throw new SandboxException(SandboxException.Reason.START_FAILED,
                "Only some of the sandbox's " + count + " nodes became Ready within " + timeout.toSeconds() + " s");
    }

    private static void waitForDns(KubernetesClient client, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            var coredns = client.apps().deployments().inNamespace("kube-system").withName("coredns").get();
            if (coredns != null && coredns.getStatus() != null && coredns.getStatus().getReadyReplicas() != null
                    && coredns.getStatus().getReadyReplicas() > 0) {
                return;
            }
            pause();
        }
        throw new SandboxException(SandboxException.Reason.START_FAILED,
                "Cluster DNS (CoreDNS) did not become ready within " + timeout.toSeconds() + " s");
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(SandboxException.Reason.START_FAILED, "Interrupted while the sandbox started");
        }
    }

    private static void install(KubernetesClient client, String toolboxImage, int nodes, Duration timeout) {
        Manifests.apply(client, resource("platform.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage), NAMESPACE);
        List<SandboxNode.Role> roles = nodes == 2 ? List.of(SandboxNode.Role.SERVER, SandboxNode.Role.AGENT)
                : List.of(SandboxNode.Role.SERVER);
        ProbePods.install(client, toolboxImage, roles, timeout);
        waitReady(client, TERMINAL_POD, timeout);
        waitReady(client, BINDER_POD, timeout);
        LearnerConfinement.verify(client);
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

    static String resource(String name) {
        try (InputStream in = SandboxBootstrap.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
