package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** serviceSelects matches the Service's own selector against Ready pods; CheckClassificationTest covers the classification. */
@EnableKubernetesMockClient(crud = true)
class ServiceSelectsCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void aSelectorThatMatchesReadyPodsPasses() {
        cluster.service("shop", Map.of("app", "shop"), 80, 8080);
        cluster.pod("shop-1", Map.of("app", "shop", "pod-template-hash", "abc"), true);
        Outcome outcome = new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "shop"), cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).isEqualTo("Service shop selects app=shop: 1 Ready pod(s).");
    }

    @Test
    void matchingPodsThatAreNotReadyDoNotCount() {
        cluster.service("shop", Map.of("app", "shop"), 80, 8080);
        cluster.pod("shop-1", Map.of("app", "shop"), false);
        Outcome outcome = new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "shop"), cluster.context());
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("0 of 1 matching pods are Ready, expected at least 1");
    }

    @Test
    void aSelectorThatMatchesNothingShowsTheLabelsOfThePodsThere() {
        cluster.service("shop", Map.of("app", "shpo"), 80, 8080);
        cluster.pod("shop-1", Map.of("app", "shop"), true);
        Outcome outcome = new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "shop"), cluster.context());
        assertThat(outcome.message()).contains("no pod in default has those labels (pods here are labelled app=shop)")
                .contains("Fix the Service's selector or the pods' labels.");
    }

    @Test
    void aMissingServiceIsReportedAsMissing() {
        assertThatThrownBy(() -> new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "shop"),
                cluster.context())).isInstanceOf(CheckContext.Missing.class)
                .hasMessage("Service shop does not exist in namespace default.");
    }
}
