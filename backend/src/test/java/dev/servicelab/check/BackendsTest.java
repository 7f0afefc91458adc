package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.sandbox.PodExec;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the API alone says about a Service's traffic: when no pod will ever serve it (at all, or on
 * the node a Local traffic policy keeps a request on), the checks say so at once instead of sending
 * a probe that could only confirm it after a timeout. Two nodes, server and agent, on the CRUD mock.
 */
@EnableKubernetesMockClient(crud = true)
class BackendsTest {

    KubernetesClient client;
    MockCluster cluster;
    final List<String> probes = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void twoNodes() {
        cluster = new MockCluster(client).clean();
        client.nodes().delete();
        for (String role : List.of("server", "agent")) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + role)
                    .withLabels(Map.of(SandboxBootstrap.ROLE_LABEL, role)).endMetadata().build()).create();
        }
    }

    /** Probes are recorded and answer with a timeout: a check that decides from the API sends none. */
    private CheckContext context() {
        Sandbox sandbox = new Sandbox("s", "learner", "lab", "", List.of(
                new SandboxNode(SandboxNode.Role.SERVER, "c1", "node-server", "127.0.0.1", Map.of()),
                new SandboxNode(SandboxNode.Role.AGENT, "c2", "node-agent", "127.0.0.1", Map.of())), Instant.now());
        return new CheckContext(sandbox, client, ClusterStillness.UNKNOWN, (node, timeout, script) -> {
            probes.add(script);
            return new PodExec.Result(28, "", "timed out");
        });
    }

    private Service pinned(String internalPolicy, String externalPolicy) {
        return client.services().resource(new ServiceBuilder().withNewMetadata().withName("pinned").withNamespace("default")
                .endMetadata().withNewSpec().withType("NodePort").withClusterIP("10.43.0.20").withSelector(Map.of("app", "pinned"))
                .withInternalTrafficPolicy(internalPolicy).withExternalTrafficPolicy(externalPolicy).addNewPort().withName("http")
                .withPort(80).withNodePort(30300).endPort().endSpec().build()).create();
    }

    /** A settled Deployment of app=pinned pods held to one node by its node selector, with its pods there. */
    private void pinnedTo(String name, String role, int replicas) {
        Map<String, String> labels = Map.of("app", "pinned", "placement", name);
        client.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .withNodeSelector(Map.of(SandboxBootstrap.ROLE_LABEL, role)).addNewContainer().withName("echo")
                .withImage("servicelab/echo:1").endContainer().endSpec().endTemplate().endSpec().withNewStatus()
                .withObservedGeneration(1L).withReplicas(replicas).withUpdatedReplicas(replicas).endStatus().build()).create();
        for (int i = 0; i < replicas; i++) {
            client.pods().resource(new PodBuilder().withNewMetadata().withName(name + "-" + i).withNamespace("default")
                    .withLabels(labels).endMetadata().withNewSpec().withNodeName("node-" + role).addNewContainer().withName("echo")
                    .withImage("servicelab/echo:1").endContainer().endSpec().withNewStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
        }
    }

    @Test
    void aServiceWhoseOnlyDeploymentIsScaledToZeroWillNeverBeServed() {
        Service service = pinned("Cluster", "Cluster");
        pinnedTo("pinned", "server", 0);

        assertThat(Backends.never(client, service)).hasValueSatisfying(why -> assertThat(why)
                .contains("no running pod matches its selector app=pinned").contains("Deployment pinned (0 replica(s))"));
    }

    @Test
    void aReadyPodOrADeploymentStillMakingItsPodsMayServe() {
        Service service = pinned("Cluster", "Cluster");
        pinnedTo("pinned", "server", 1);
        assertThat(Backends.never(client, service)).isEmpty();

        cluster.clean();
        service = pinned("Cluster", "Cluster");
        cluster.deployment("pinned", Map.of("app", "pinned"), 2); // no pods yet, no status: being made
        assertThat(Backends.never(client, service)).isEmpty();
    }

    @Test
    void aDropWantedFromAServiceNoPodWillServeIsAnAtOnceRefusalWithoutAProbe() {
        pinned("Local", "Cluster");
        pinnedTo("pinned", "server", 0);

        Outcome outcome = new DropCheck().evaluate(spec(CheckType.DROPPED, "url", "http://pinned.default.svc.cluster.local/",
                "fromNode", "agent"), context());

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("refused at once, not dropped").contains("Deployment pinned (0 replica(s))");
        assertThat(probes).isEmpty();
    }

    @Test
    void anExternalDropWantedFromAServiceNoPodWillServeIsAnAtOnceRefusal() {
        pinned("Cluster", "Local");
        pinnedTo("pinned", "server", 0);

        Outcome outcome = new DropCheck().evaluate(spec(CheckType.EXTERNAL_DROPPED, "service", "pinned", "node", "agent"), context());

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("refused at once, not dropped");
    }

    @Test
    void aLocalNodePortOnANodeNoPodOfTheServiceCanLandOnCannotAnswer() {
        pinned("Cluster", "Local");
        pinnedTo("pinned", "server", 1);
        pinnedTo("pinned-agent", "server", 1); // meant for the agent node, but its node selector says server

        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "pinned", "via", "nodePort",
                "node", "agent"), context());

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("externalTrafficPolicy is Local").contains("drops the packets")
                .contains("runs on node node-agent")
                .contains("pinned-agent-0 on node-server");
    }

    @Test
    void aPodNotYetPlacedThatMayLandOnTheNodeMayStillServeIt() {
        Service service = pinned("Cluster", "Local");
        pinnedTo("pinned", "server", 1);
        client.pods().resource(new PodBuilder().withNewMetadata().withName("pinned-agent-0").withNamespace("default")
                .withLabels(Map.of("app", "pinned")).endMetadata().withNewSpec()
                .withNodeSelector(Map.of(SandboxBootstrap.ROLE_LABEL, "agent")).addNewContainer().withName("echo")
                .withImage("servicelab/echo:1").endContainer().endSpec().withNewStatus().withPhase("Pending").endStatus().build())
                .create();

        assertThat(Backends.neverOn(client, service, "agent")).isEmpty();
        assertThat(Backends.neverOn(client, service, "server")).isEmpty();
    }

    @Test
    void anInClusterRequestFromANodeWithoutALocalEndpointUnderALocalInternalPolicyCannotBeAnswered() {
        pinned("Local", "Cluster");
        pinnedTo("pinned", "server", 1);

        Outcome fromAgent = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://pinned.default.svc.cluster.local/",
                "fromNode", "agent"), context());
        Outcome byAddress = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://10.43.0.20/", "fromNode", "agent"), context());

        assertThat(fromAgent.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(fromAgent.message()).contains("internalTrafficPolicy is Local");
        assertThat(byAddress.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(probes).isEmpty();
    }

    @Test
    void aRequestFailingWhileItsPodsRollOutSaysItWaitsForTheRollout() {
        pinned("Cluster", "Cluster");
        pinnedTo("pinned", "server", 1);
        var deployment = client.apps().deployments().inNamespace("default").withName("pinned").get();
        deployment.getStatus().setUpdatedReplicas(0);
        client.apps().deployments().resource(deployment).update();

        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://pinned.default.svc.cluster.local/"), context());

        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("Deployment pinned is rolling out (0 of 1 pods updated")
                .endsWith("checking again once it is done…");
    }

    @Test
    void fromTheNodeWithTheEndpointTheRequestIsProbedAsUsual() {
        pinned("Local", "Cluster");
        pinnedTo("pinned", "server", 1);

        Outcome fromServer = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://pinned.default.svc.cluster.local/",
                "fromNode", "server"), context());

        assertThat(fromServer.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(probes).hasSize(1);
    }
}
