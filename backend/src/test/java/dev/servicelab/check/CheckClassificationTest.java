package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How each API check classifies a failure, against fabric8's API mock: definitively wrong when
 * waiting cannot change it, converging while the cluster may still get there.
 */
@EnableKubernetesMockClient(crud = true)
class CheckClassificationTest {

    static KubernetesClient client;

    CheckContext context;

    @BeforeEach
    void clean() {
        client.apps().deployments().inNamespace("default").delete();
        client.apps().statefulSets().inNamespace("default").delete();
        client.pods().inNamespace("default").delete();
        client.services().inNamespace("default").delete();
        client.discovery().v1().endpointSlices().inNamespace("default").delete();
        context = new CheckContext(new Sandbox("s", "learner", "lab", "", List.of(new SandboxNode(SandboxNode.Role.SERVER,
                "c", "n", "127.0.0.1", Map.of())), Instant.now()), client);
    }

    // resource / absent

    @Test
    void aMissingServiceIsWrong() {
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Service", "name", "api"), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("Service api does not exist");
    }

    @Test
    void aFieldWithTheWrongValueIsWrong() {
        service("api", Map.of("app", "api"), 80);
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Service", "name", "api",
                "fields", Map.of("spec.ports[0].targetPort", 8080)), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("targetPort is 80, expected 8080");
    }

    @Test
    void aStatusFieldConverges() {
        client.apps().deployments().resource(deployment("web", Map.of("app", "web"), 2)).create();
        Outcome outcome = new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Deployment", "name", "web",
                "fields", Map.of("status.readyReplicas", 2)), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
    }

    @Test
    void aStatefulSetPodNotYetMadeConverges() {
        client.apps().statefulSets().resource(new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace("default")
                .endMetadata().withNewSpec().withReplicas(3).withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata().withNewSpec().addNewContainer()
                .withName("web").withImage("servicelab/echo:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
        assertThat(new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Pod", "name", "web-2"), context).state())
                .isEqualTo(Outcome.State.CONVERGING);
        assertThat(new ResourceCheck().evaluate(spec(CheckType.RESOURCE, "kind", "Pod", "name", "solo"), context).state())
                .isEqualTo(Outcome.State.WRONG);
    }

    @Test
    void aBarePodThatStillExistsIsWrongButAControllersPodConverges() {
        pod("solo", Map.of("run", "solo"), true, null);
        Pod owned = new PodBuilder(pod("web-3", Map.of("app", "web"), true, null)).editMetadata().addNewOwnerReference()
                .withApiVersion("apps/v1").withKind("StatefulSet").withName("web").withUid("u1").endOwnerReference().endMetadata().build();
        client.pods().resource(owned).update();
        assertThat(new ResourceCheck().evaluate(spec(CheckType.ABSENT, "kind", "Pod", "name", "solo"), context).state())
                .isEqualTo(Outcome.State.WRONG);
        assertThat(new ResourceCheck().evaluate(spec(CheckType.ABSENT, "kind", "Pod", "name", "web-3"), context).state())
                .isEqualTo(Outcome.State.CONVERGING);
    }

    // podsReady

    @Test
    void podsNothingWillMakeAreWrong() {
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "count", 3), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("No pods labelled app=shop");
    }

    @Test
    void podsADeploymentIsStartingConverge() {
        client.apps().deployments().resource(deployment("shop", Map.of("app", "shop"), 3)).create();
        pod("shop-1", Map.of("app", "shop"), true, null);
        pod("shop-2", Map.of("app", "shop"), false, null);
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "shop"), "count", 3), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("1 of 2 pods labelled app=shop").contains("Waiting for pods to become Ready");
    }

    @Test
    void podsOfARolloutInProgressConverge() {
        var rolling = deployment("api", Map.of("app", "api"), 3);
        rolling.getStatus().setObservedGeneration(0L);
        client.apps().deployments().resource(rolling).create();
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "api"), "min", 4), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("A rollout is in progress");
    }

    @Test
    void tooFewReplicasAreWrong() {
        client.apps().deployments().resource(deployment("api", Map.of("app", "api"), 3)).create();
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("app", "api"), "min", 4), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
    }

    @Test
    void aPodThatKeepsCrashingIsWrong() {
        pod("client", Map.of("run", "client"), false, "CrashLoopBackOff");
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("run", "client"), "count", 1), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("Waiting will not help: client (CrashLoopBackOff)");
    }

    @Test
    void aContainerWhoseCommandFinishedIsWrongWithoutWaitingForItsFirstRestart() {
        client.pods().resource(new PodBuilder().withNewMetadata().withName("client").withNamespace("default")
                .withLabels(Map.of("run", "client")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("servicelab/toolbox:1").withCommand("true").endContainer().endSpec().withNewStatus().withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder().withName("c").withRestartCount(0).withNewState().withNewTerminated()
                        .withExitCode(0).withReason("Completed").endTerminated().endState().build()).endStatus().build()).create();
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("run", "client"), "count", 1), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("Waiting will not help: client (Completed: its command finished");
    }

    @Test
    void aContainerThatFailedOnceMayStillComeUpOnItsRestart() {
        client.pods().resource(new PodBuilder().withNewMetadata().withName("client").withNamespace("default")
                .withLabels(Map.of("run", "client")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("servicelab/toolbox:1").endContainer().endSpec().withNewStatus().withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder().withName("c").withRestartCount(0).withNewState().withNewTerminated()
                        .withExitCode(1).withReason("Error").endTerminated().endState().build()).endStatus().build()).create();
        Outcome outcome = new PodsReadyCheck().evaluate(spec(CheckType.PODS_READY, "selector", Map.of("run", "client"), "count", 1), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
    }

    // serviceSelects

    @Test
    void aServiceWithoutSelectorIsWrong() {
        service("inventory", null, 80);
        assertThat(new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "inventory"), context).state())
                .isEqualTo(Outcome.State.WRONG);
    }

    @Test
    void aSelectorWithATypoIsWrongButOneWhosePodsAreComingConverges() {
        client.apps().deployments().resource(deployment("shop", Map.of("app", "shop"), 2)).create();
        service("typo", Map.of("app", "shpo"), 8080);
        service("shop", Map.of("app", "shop"), 8080);
        assertThat(new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "typo"), context).state())
                .isEqualTo(Outcome.State.WRONG);
        assertThat(new ServiceSelectsCheck().evaluate(spec(CheckType.SERVICE_SELECTS, "service", "shop"), context).state())
                .isEqualTo(Outcome.State.CONVERGING);
    }

    // endpoints

    @Test
    void endpointsOnAPortTheServiceCannotPublishAreWrong() {
        service("api", Map.of("app", "api"), 80);
        slice("api", "10.42.0.5", 80);
        Outcome outcome = new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "count", 1, "port", "8080"), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("use port 80, expected 8080");
    }

    @Test
    void endpointsNotYetUpdatedToTheServicesNewTargetPortConverge() {
        service("api", Map.of("app", "api"), 8080);
        slice("api", "10.42.0.5", 80);
        assertThat(new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "count", 1, "port", "8080"), context)
                .state()).isEqualTo(Outcome.State.CONVERGING);
    }

    @Test
    void aNamedTargetPortFollowsTheTemplateOfARolloutThatMovesThePort() {
        client.services().resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace("default").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "api")).addNewPort().withPort(80).withTargetPort(new IntOrString("http"))
                .endPort().endSpec().build()).create();
        client.pods().resource(new PodBuilder(pod("api-old", Map.of("app", "api"), true, null)).editSpec().editFirstContainer()
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec().build()).update();
        slice("api", "10.42.0.5", 8080);
        CheckSpec wants9090 = spec(CheckType.ENDPOINTS, "service", "api", "count", 1, "port", "9090");
        assertThat(new EndpointsCheck().evaluate(wants9090, context).state()).isEqualTo(Outcome.State.WRONG);

        var moved = deployment("api", Map.of("app", "api"), 1);
        moved.getSpec().getTemplate().getSpec().getContainers().get(0).setPorts(List.of(
                new io.fabric8.kubernetes.api.model.ContainerPortBuilder().withName("http").withContainerPort(9090).build()));
        client.apps().deployments().resource(moved).create();
        assertThat(new EndpointsCheck().evaluate(wants9090, context).state()).isEqualTo(Outcome.State.CONVERGING);
    }

    @Test
    void readyPodsNotYetPublishedConverge() {
        service("api", Map.of("app", "api"), 8080);
        pod("api-1", Map.of("app", "api"), true, null);
        Outcome outcome = new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "count", 1), context);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("not published yet");
    }

    @Test
    void aServiceWithoutSelectorOrEndpointsOfItsOwnIsWrong() {
        service("inventory", null, 8080);
        assertThat(new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "inventory", "count", 1), context).state())
                .isEqualTo(Outcome.State.WRONG);
    }

    // helpers

    private static CheckSpec spec(CheckType type, Object... keyValues) {
        Map<String, Object> params = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new CheckSpec(type, type.yamlName(), "default", 30, Optional.empty(), params, "test");
    }

    private static void service(String name, Map<String, String> selector, int targetPort) {
        client.services().resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withSelector(selector).addNewPort().withPort(80).withTargetPort(new IntOrString(targetPort)).endPort()
                .endSpec().build()).create();
    }

    private static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String name, Map<String, String> labels, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector().withNewTemplate().withNewMetadata()
                .withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName(name).withImage("servicelab/echo:1")
                .endContainer().endSpec().endTemplate().endSpec()
                // The controller has seen this generation: no rollout in progress.
                .withNewStatus().withObservedGeneration(1L).endStatus().build();
    }

    private static Pod pod(String name, Map<String, String> labels, boolean ready, String waiting) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("servicelab/echo:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus();
        if (waiting != null) {
            pod.editStatus().withContainerStatuses(new ContainerStatusBuilder().withName("c").withRestartCount(3).withNewState()
                    .withNewWaiting().withReason(waiting).endWaiting().endState().build()).endStatus();
        }
        return client.pods().resource(pod.build()).create();
    }

    private static void slice(String service, String address, int port) {
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder().withNewMetadata().withName(service + "-x")
                .withNamespace("default").withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType("IPv4").addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions()
                .endEndpoint().addNewPort().withPort(port).endPort().build()).create();
    }
}
