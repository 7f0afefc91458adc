package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** podAge says "not replaced" at once when nothing is replacing the old pods, and waits while a rollout is. */
@EnableKubernetesMockClient(crud = true)
class PodAgeSettledTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void anOldPodOfAFinishedRolloutIsAWrongAnswerAtOnce() {
        webPodThenCaller("web-old");
        deploymentOfWeb(1, 1);

        Outcome outcome = check();

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("web-old").contains("not replaced");
    }

    @Test
    void anOldPodIsWaitedForWhileItsDeploymentIsStillRollingOut() {
        webPodThenCaller("web-old");
        deploymentOfWeb(1, 0);

        assertThat(check().state()).isEqualTo(Outcome.State.CONVERGING);
    }

    private Outcome check() {
        return new PodAgeCheck().evaluate(spec(CheckType.POD_AGE, "selector", Map.of("app", "web"), "createdAfter",
                Map.of("kind", "Pod", "name", "caller")), cluster.context());
    }

    /**
     * A Ready pod of ReplicaSet web-1 (of Deployment web), then the caller a second later: the mock
     * server stamps creation times itself, in whole seconds like a real API server.
     */
    private void webPodThenCaller(String name) {
        client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withLabels(Map.of("app", "web")).addToOwnerReferences(new OwnerReferenceBuilder().withKind("ReplicaSet")
                        .withName("web-1").withApiVersion("apps/v1").withUid("rs").build()).endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        long second = Instant.parse(client.pods().inNamespace("default").withName(name).get().getMetadata().getCreationTimestamp())
                .getEpochSecond();
        await().atMost(Duration.ofSeconds(3)).until(() -> Instant.now().getEpochSecond() > second);
        cluster.pod("caller", Map.of("run", "caller"), true);
    }

    private void deploymentOfWeb(int replicas, int updated) {
        var deployment = cluster.deployment("web", Map.of("app", "web"), replicas);
        deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(updated).build());
        client.apps().deployments().resource(deployment).updateStatus();
        client.apps().replicaSets().resource(new ReplicaSetBuilder().withNewMetadata().withName("web-1").withNamespace("default")
                .addToOwnerReferences(new OwnerReferenceBuilder().withKind("Deployment").withName("web").withApiVersion("apps/v1")
                        .withUid("d").build()).endMetadata().withNewSpec().withReplicas(replicas).endSpec().build()).create();
    }
}
