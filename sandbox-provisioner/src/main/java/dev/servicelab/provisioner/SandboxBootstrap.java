package dev.servicelab.provisioner;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Brings a freshly started sandbox to ready, whichever provisioner started its nodes: waits for the
 * nodes and cluster DNS, then installs what the platform needs before a learner gets it (the
 * learner's ServiceAccount and bounded rights, the admission policies that keep the learner out of
 * the platform's namespaces and enforce Pod Security, the namespace binder, the terminal pod, one
 * sealed probe pod per node for in-cluster checks, and the ResourceQuota and LimitRange of every
 * learner namespace with the small controller that gives them to namespaces the learner makes), and
 * proves the learner is confined.
 */
public final class SandboxBootstrap {

    public static final String NAMESPACE = "servicelab-system";
    public static final String TERMINAL_POD = "terminal";
    public static final String ROLE_LABEL = "servicelab.dev/role";
    /** On a learner namespace once its ResourceQuota and LimitRange are in place; pods wait for it. */
    public static final String LIMITS_LABEL = "servicelab.dev/limits";
    public static final String LIMITS_POD = "namespace-limits";

    private SandboxBootstrap() {
    }

    public static final String BINDER_POD = "namespace-binder";

    /** How long the admission policies just installed may take to be in force (see LearnerConfinement). */
    private static final Duration CONFINEMENT_SETTLE = Duration.ofSeconds(30);

    public static String probePod(SandboxNode.Role role) {
        return ProbePods.name(role);
    }

    /** Everything after the API answers: nodes Ready, DNS ready, the platform's namespace and pods. */
    public static void prepare(KubernetesClient client, String sandboxId, int nodes, String toolboxImage,
            Duration timeout, SandboxProgress progress) {
        prepare(client, sandboxId, nodes, toolboxImage, timeout, progress, null, Set.of());
    }

    /**
     * Like {@link #prepare(KubernetesClient, String, int, String, Duration, SandboxProgress)} for a
     * cluster restored from a snapshot: its Node and Pod objects still say Ready from before, so only
     * a status written since {@code restoredAt} (by the new node's kubelet) counts.
     */
    public static void prepare(KubernetesClient client, String sandboxId, int nodes, String toolboxImage,
            Duration timeout, SandboxProgress progress, Instant restoredAt, Set<String> addons) {
        waitForNodes(client, nodes, timeout, restoredAt);
        progress.reached(sandboxId, SandboxPhase.NODE_READY);
        waitForDns(client, timeout, restoredAt);
        progress.reached(sandboxId, SandboxPhase.DNS_READY);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "baseline").endMetadata().build())
                .serverSideApply();
        learnerNamespace(client, "default");
        install(client, toolboxImage, nodes, timeout, restoredAt, addons);
    }

    /**
     * Creates (or updates) a learner namespace with its ResourceQuota and LimitRange at once, for the
     * platform's own use (lab setup): pods may go there right away. Namespaces the learner creates get
     * the same from the sandbox's namespace-limits controller within a second or two.
     */
    public static void learnerNamespace(KubernetesClient client, String namespace) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
        Manifests.apply(client, resource("namespace-limits.yaml"), namespace);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels(LIMITS_LABEL, "applied").endMetadata().build()).serverSideApply();
    }

    public static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A pod that is Ready, with every container started at or after {@code since} (any start when null). */
    public static boolean readySince(Pod pod, Instant since) {
        return ready(pod) && (since == null || pod.getStatus().getContainerStatuses() != null
                && !pod.getStatus().getContainerStatuses().isEmpty()
                && pod.getStatus().getContainerStatuses().stream().allMatch(c -> c.getState() != null
                        && c.getState().getRunning() != null && c.getState().getRunning().getStartedAt() != null
                        && !Instant.parse(c.getState().getRunning().getStartedAt()).isBefore(since)));
    }

    /** A node that is Ready by a heartbeat at or after {@code since} (any heartbeat when null). */
    static boolean readySince(Node node, Instant since) {
        return ready(node) && (since == null || node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())
                        && c.getLastHeartbeatTime() != null && !Instant.parse(c.getLastHeartbeatTime()).isBefore(since)));
    }

    private static void waitForNodes(KubernetesClient client, int count, Duration timeout, Instant since) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            var nodes = client.nodes().list().getItems();
            if (nodes.size() >= count && nodes.stream().allMatch(n -> readySince(n, since))) {
                return;
            }
            pause();
        }
        throw new SandboxException(SandboxException.Reason.START_FAILED,
                "Only some of the sandbox's " + count + " nodes became Ready within " + timeout.toSeconds() + " s");
    }

    private static void waitForDns(KubernetesClient client, Duration timeout, Instant since) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (since != null) {
                // The Deployment's status is as old as the snapshot: look at the pods themselves.
                if (client.pods().inNamespace("kube-system").withLabel("k8s-app", "kube-dns").list().getItems().stream()
                        .anyMatch(p -> readySince(p, since))) {
                    return;
                }
                pause();
                continue;
            }
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

    private static void install(KubernetesClient client, String toolboxImage, int nodes, Duration timeout, Instant since,
            Set<String> addons) {
        Manifests.apply(client, resource("platform.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage)
                .replace("${NETWORK_POLICY_ENFORCED}", String.valueOf(addons.contains(SandboxRequest.NETWORK_POLICY))),
                NAMESPACE);
        client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(LIMITS_POD)
                .withNamespace(NAMESPACE).endMetadata().addToData("namespace-limits.yaml", resource("namespace-limits.yaml"))
                .build()).serverSideApply();
        Manifests.apply(client, resource("limits.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage), NAMESPACE);
        List<SandboxNode.Role> roles = nodes == 2 ? List.of(SandboxNode.Role.SERVER, SandboxNode.Role.AGENT)
                : List.of(SandboxNode.Role.SERVER);
        ProbePods.install(client, toolboxImage, roles, timeout);
        for (String pod : roles.stream().map(SandboxBootstrap::probePod).toList()) {
            waitReady(client, pod, timeout, since); // after a restore, running again, not Ready in the snapshot
        }
        waitReady(client, TERMINAL_POD, timeout, since);
        waitReady(client, LIMITS_POD, timeout, since);
        waitReady(client, BINDER_POD, timeout, since);
        LearnerConfinement.verifyWithin(client, CONFINEMENT_SETTLE);
    }

    private static void waitReady(KubernetesClient client, String pod, Duration timeout, Instant since) {
        client.pods().inNamespace(NAMESPACE).withName(pod).waitUntilCondition(p -> readySince(p, since),
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
