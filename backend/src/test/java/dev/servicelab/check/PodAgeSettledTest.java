package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
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
        Pod caller = cluster.pod("caller", Map.of("run", "caller"), true);
        webPod(caller, "web-old", -60);
        deploymentOfWeb(1, 1);

        Outcome outcome = check();

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("web-old").contains("not replaced");
    }

    @Test
    void anOldPodIsWaitedForWhileItsDeploymentIsStillRollingOut() {
        Pod caller = cluster.pod("caller", Map.of("run", "caller"), true);
        webPod(caller, "web-old", -60);
        deploymentOfWeb(1, 0);

        assertThat(check().state()).isEqualTo(Outcome.State.CONVERGING);
    }

    private Outcome check() {
        return new PodAgeCheck().evaluate(spec(CheckType.POD_AGE, "selector", Map.of("app", "web"), "createdAfter",
                Map.of("kind", "Pod", "name", "caller")), cluster.context());
    }

    /** A Ready pod of ReplicaSet web-1 (of Deployment web), created some seconds before or after the caller. */
    private void webPod(Pod caller, String name, int secondsAfterCaller) {
        Pod pod = cluster.pod(name, Map.of("app", "web"), true);
        String created = java.time.Instant.parse(caller.getMetadata().getCreationTimestamp()).plusSeconds(secondsAfterCaller).toString();
        pod.getMetadata().setCreationTimestamp(created);
        pod.getMetadata().setOwnerReferences(java.util.List.of(new OwnerReferenceBuilder().withKind("ReplicaSet").withName("web-1")
                .withApiVersion("apps/v1").withUid("rs").build()));
        client.pods().resource(pod).update();
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
