package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** resource and absent read the learner's objects; CheckClassificationTest covers how failures are classified. */
@EnableKubernetesMockClient(crud = true)
class ResourceCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void anObjectWithEveryExpectedFieldPasses() {
        cluster.service("web", Map.of("app", "web"), 80, 8080);
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Service", "name", "web", "fields",
                Map.of("spec.type", "ClusterIP", "spec.ports[name=http].targetPort", 8080, "spec.selector.app", "web")),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.PASSED);
        assertThat(outcome.message()).isEqualTo("Service web is as expected.");
    }

    @Test
    void anObjectWithoutFieldsToComparePassesByExisting() {
        cluster.deployment("shop", Map.of("app", "shop"), 2);
        assertThat(new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Deployment", "name", "shop"), cluster.context())
                .passed()).isTrue();
    }

    @Test
    void everyWrongFieldIsNamedInOneMessage() {
        cluster.service("web", Map.of("app", "web"), 80, 8080);
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Service", "name", "web", "fields",
                Map.of("spec.type", "NodePort", "spec.ports[0].port", 8080)), cluster.context());
        assertThat(outcome.message()).startsWith("Service web: ").contains("spec.type is ClusterIP, expected NodePort")
                .contains("spec.ports[0].port is 80, expected 8080");
    }

    @Test
    void aStatusFieldAControllerMayStillSetIsWaitedForButARestartCountAboveTheLimitIsFinal() {
        Pod caller = cluster.pod("caller", Map.of("run", "caller"), true);
        caller.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("c").withRestartCount(1).build()));
        client.pods().resource(caller).updateStatus();

        Outcome restarted = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Pod", "name", "caller", "fields",
                Map.of("status.containerStatuses[0].restartCount", 0)), cluster.context());
        Outcome pending = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Pod", "name", "caller", "fields",
                Map.of("status.phase", "Succeeded")), cluster.context());

        assertThat(restarted.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(restarted.message()).contains("restartCount is 1, expected 0");
        assertThat(pending.state()).isEqualTo(Outcome.State.CONVERGING);
    }

    @Test
    void aMissingObjectNamesTheOnesOfItsKindThatExist() {
        cluster.service("api", Map.of("app", "api"), 80, 8080);
        cluster.service("db", Map.of("app", "db"), 5432, 5432);
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Service", "name", "web"), cluster.context());
        assertThat(outcome.message()).isEqualTo("Service web does not exist in namespace default (Services there: api, db).");
    }

    @Test
    void aNamespaceIsFoundWithoutANamespace() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).createOr(r -> r.update());
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Namespace", "name", "shop"), cluster.context());
        assertThat(outcome.passed()).isTrue();
        Outcome missing = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Namespace", "name", "nope"), cluster.context());
        assertThat(missing.message()).startsWith("Namespace nope does not exist").doesNotContain("in namespace");
    }

    @Test
    void absentPassesOnceTheObjectIsGone() {
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.ABSENT, "kind", "Pod", "name", "debug"), cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).isEqualTo("Pod debug is gone.");
    }

    @Test
    void absentOfAnObjectStillThereSaysToDeleteIt() {
        cluster.pod("debug", Map.of("run", "debug"), true);
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.ABSENT, "kind", "Pod", "name", "debug"), cluster.context());
        assertThat(outcome.message()).isEqualTo("Pod debug still exists in namespace default; delete it.");
    }

    @Test
    void aNetworkPolicySelectingEveryPodHasNoMatchLabels() {
        client.network().v1().networkPolicies().inNamespace("default").resource(new NetworkPolicyBuilder().withNewMetadata()
                .withName("default-deny").withNamespace("default").endMetadata().withNewSpec().withNewPodSelector().endPodSelector()
                .withPolicyTypes("Ingress").endSpec().build()).createOr(r -> r.update());
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "NetworkPolicy", "name", "default-deny",
                "fields", Map.of("spec.podSelector.matchLabels", Map.of("exists", false), "spec.policyTypes[0]", "Ingress")),
                cluster.context());
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
        Outcome elsewhere = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "NetworkPolicy", "name", "allow-web"),
                cluster.context());
        assertThat(elsewhere.message()).isEqualTo(
                "NetworkPolicy allow-web does not exist in namespace default (NetworkPolicys there: default-deny).");
    }

    @Test
    void theTypesAreResourceAndAbsent() {
        assertThat(new ResourceCheck().types()).containsExactlyInAnyOrderElementsOf(List.of(CheckType.RESOURCE, CheckType.ABSENT));
    }
}
