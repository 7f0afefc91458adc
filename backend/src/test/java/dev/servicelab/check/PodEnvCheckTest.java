package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * podEnv before it reads any environment: which pod it needs. Reading the variable execs {@code env}
 * in the pod, which the mock cannot run; LabConformanceIT proves that part on a real sandbox.
 */
@EnableKubernetesMockClient(crud = true)
class PodEnvCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void withoutAReadyPodItSaysWhoseEnvironmentItWantedAndWaitsForADeploymentsPods() {
        cluster.deployment("client", Map.of("app", "client"), 1);
        cluster.pod("client-1", Map.of("app", "client"), false);
        Outcome outcome = new PodEnvCheck().evaluate(spec(CheckType.POD_ENV, "selector", Map.of("app", "client"), "variable",
                "WEB_SERVICE_HOST"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).startsWith("No Ready pod labelled app=client in default to read the environment of.");
    }

    @Test
    void withoutAnyPodOrWorkloadToMakeOneItIsWrong() {
        Outcome outcome = new PodEnvCheck().evaluate(spec(CheckType.POD_ENV, "selector", Map.of("app", "client"), "variable",
                "WEB_SERVICE_HOST"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
    }
}
