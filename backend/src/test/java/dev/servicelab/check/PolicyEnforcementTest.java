package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks wait for the nodes' policy controllers to acknowledge what was written, not for a fixed time. */
@EnableKubernetesMockClient(crud = true)
class PolicyEnforcementTest {

    static KubernetesClient client;

    @BeforeEach
    void clean() {
        client.network().v1().networkPolicies().inAnyNamespace().delete();
        client.nodes().delete();
    }

    @Test
    void everyReadyNodeAtOrPastTheNewestVersionIsSynced() {
        assertThat(PolicyEnforcement.synced(List.of(node("server", true, "42"), node("agent", true, "57")), 42)).isTrue();
    }

    @Test
    void oneReadyNodeBehindIsNotSynced() {
        assertThat(PolicyEnforcement.synced(List.of(node("server", true, "42"), node("agent", true, "41")), 42)).isFalse();
    }

    @Test
    void aReadyNodeThatHasNotAcknowledgedYetIsNotSynced() {
        assertThat(PolicyEnforcement.synced(List.of(node("server", true, "42"), node("agent", true, null)), 42)).isFalse();
    }

    @Test
    void aNodeThatIsNotReadyIsNotWaitedFor() {
        assertThat(PolicyEnforcement.synced(List.of(node("server", true, "42"), node("agent", false, "3")), 42)).isTrue();
    }

    @Test
    void nodesThatNeverAcknowledgeLeaveOnlyTheTimedWait() {
        assertThat(PolicyEnforcement.synced(List.of(node("server", true, null)), 42)).isNull();
    }

    @Test
    void aClusterWithoutPoliciesIsNotWaitedFor() throws InterruptedException {
        client.nodes().resource(node("server", true, "0")).create();
        long started = System.nanoTime();
        PolicyEnforcement.await(client);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PolicyEnforcement.MAX_WAIT.dividedBy(2));
    }

    @Test
    void aPolicyIsWaitedForUntilTheNodeAcknowledgesIt() throws Exception {
        client.nodes().resource(node("server", true, "0")).create();
        var policy = client.network().v1().networkPolicies().inNamespace("default").resource(new NetworkPolicyBuilder()
                .withNewMetadata().withName("deny").endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec()
                .build()).create();
        long written = Long.parseLong(policy.getMetadata().getResourceVersion());

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                PolicyEnforcement.await(client);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500); // long enough for a wait that ignores the annotation to have returned
        assertThat(waiting).isNotDone();

        client.nodes().withName("server").edit(n -> new NodeBuilder(n).editMetadata()
                .addToAnnotations(PolicyEnforcement.SYNCED, Long.toString(written)).endMetadata().build());
        waiting.get(2, TimeUnit.SECONDS);
    }

    private static Node node(String name, boolean ready, String acked) {
        return new NodeBuilder().withNewMetadata().withName(name)
                .withAnnotations(acked == null ? Map.of() : Map.of(PolicyEnforcement.SYNCED, acked)).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }
}
