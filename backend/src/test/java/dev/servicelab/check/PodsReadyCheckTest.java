package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** podsReady counts the Ready pods with the given labels; CheckClassificationTest covers how shortfalls are classified. */
@EnableKubernetesMockClient(crud = true)
class PodsReadyCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void exactlyTheCountOfReadyPodsPasses() {
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        cluster.pod("shop-2", Map.of("app", "shop"), true);
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "count", 2),
                cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).isEqualTo("2 pods labelled app=shop in default are Ready.");
    }

    @Test
    void moreReadyPodsThanACountDoNotPass() {
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        cluster.pod("shop-2", Map.of("app", "shop"), true);
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "count", 1),
                cluster.context());
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("2 of 2 pods labelled app=shop in default are Ready, expected exactly 1");
    }

    @Test
    void aMinimumIsMetByMorePods() {
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        cluster.pod("shop-2", Map.of("app", "shop"), true);
        assertThat(new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "min", 1),
                cluster.context()).passed()).isTrue();
    }

    @Test
    void withoutCountOrMinOneReadyPodIsEnough() {
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        assertThat(new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop")), cluster.context())
                .passed()).isTrue();
    }

    @Test
    void podsThatAreNotReadyAreNamedWithTheirPhase() {
        cluster.deployment("shop", Map.of("app", "shop"), 2);
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        cluster.pod("shop-2", Map.of("app", "shop"), false);
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "count", 2),
                cluster.context());
        assertThat(outcome.message()).contains("not Ready: shop-2 (Running)");
    }

    @Test
    void whenNoPodMatchesTheLabelsOfThePodsThereAreShown() {
        cluster.pod("web-1", Map.of("app", "web"), true);
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop")),
                cluster.context());
        assertThat(outcome.message()).isEqualTo("No pods labelled app=shop in default exist; expected at least 1 Ready. "
                + "Pods there are labelled app=web.");
    }
}
