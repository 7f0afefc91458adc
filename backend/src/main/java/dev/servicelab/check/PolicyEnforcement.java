package dev.servicelab.check;

import dev.servicelab.provisioner.SandboxAddons;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Waits until the learner's NetworkPolicies are in force on every node before a check sends traffic
 * that depends on them: a probe sent while a node still runs the previous rules sees traffic the new
 * policy is about to drop (or the reverse) and would pass a wrong answer.
 *
 * <p>The kit's policy controller says how far it got: after each sync it raises its Node's
 * {@value #SYNCED} annotation to the newest resourceVersion of the NetworkPolicies, Pods and
 * Namespaces it has seen (resourceVersions of one cluster only grow). Policies are in force once every
 * Ready node shows at least the newest resourceVersion among those objects, usually a few hundred
 * milliseconds after the write. A cluster whose nodes never acknowledge (a public k3s image) gets the
 * old timed wait instead.
 */
final class PolicyEnforcement {

    static final String SYNCED = SandboxAddons.NETWORK_POLICY_SYNCED;

    /** At most this long for the nodes to acknowledge: a node that stopped syncing must not stall checks. */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    /**
     * Without acknowledgements: how long after a NetworkPolicy write its rules are on every node (a
     * policy controller programs them within a second or so; managed-field times have whole seconds).
     */
    static final Duration SETTLE = Duration.ofSeconds(4);

    private static final Duration POLL = Duration.ofMillis(100);

    private PolicyEnforcement() {
    }

    /**
     * Returns once every node enforces the cluster's current policies, or after {@link #MAX_WAIT}.
     * Clusters without policies (every lab but those with the networkPolicy addon) pay one list.
     */
    static void await(KubernetesClient client) throws InterruptedException {
        List<? extends HasMetadata> policies = client.network().v1().networkPolicies().inAnyNamespace().list().getItems();
        if (policies.isEmpty()) {
            return;
        }
        long target = newest(Stream.of(policies, client.pods().inAnyNamespace().list().getItems(),
                client.namespaces().list().getItems()).flatMap(List::stream).toList());
        Instant until = Instant.now().plus(MAX_WAIT);
        while (true) {
            Boolean synced = synced(client.nodes().list().getItems(), target);
            if (synced == null) {
                awaitSettled(policies);
                return;
            }
            if (synced || Instant.now().isAfter(until)) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The newest resourceVersion among the objects (0 when none is a number). */
    static long newest(List<? extends HasMetadata> objects) {
        return objects.stream().mapToLong(o -> version(o.getMetadata().getResourceVersion()).orElse(0)).max().orElse(0);
    }

    /**
     * Whether every Ready node has acknowledged the target resourceVersion; null when no node
     * acknowledges anything (no controller of ours runs: nothing to wait for but time).
     */
    static Boolean synced(List<Node> nodes, long target) {
        boolean any = false;
        boolean all = true;
        for (Node node : nodes) {
            OptionalLong acked = version(node.getMetadata().getAnnotations() == null ? null
                    : node.getMetadata().getAnnotations().get(SYNCED));
            any |= acked.isPresent();
            if (ready(node) && (acked.isEmpty() || acked.getAsLong() < target)) {
                all = false;
            }
        }
        return any ? all : null;
    }

    private static void awaitSettled(List<? extends HasMetadata> policies) throws InterruptedException {
        Instant latest = policies.stream().map(p -> ClusterStillness.changed(p.getMetadata())).max(Instant::compareTo)
                .orElse(Instant.EPOCH);
        Duration left = Duration.between(Instant.now(), latest.plus(SETTLE));
        if (!left.isNegative() && left.compareTo(SETTLE) <= 0) {
            Thread.sleep(left.toMillis());
        }
    }

    private static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static OptionalLong version(String text) {
        try {
            return text == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
