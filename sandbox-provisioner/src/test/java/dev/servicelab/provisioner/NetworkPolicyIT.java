package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.SandboxIsolationIT.Result;
import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One real sandbox with the networkPolicy addon: the kit's policy controller enforces what learners
 * write. Pods: {@code shop/web} (echo on 8080 named http and 9090 named admin, Service web with both
 * ports), a client in {@code front} (labelled team=front) and one in {@code other}. Refused traffic
 * is dropped, so curl times out (exit 28) rather than being refused.
 */
class NetworkPolicyIT {

    static final int TIMED_OUT = 28;
    static final Duration APPLIED = Duration.ofSeconds(30);

    static DockerSandboxProvisioner provisioner;
    static Sandbox sandbox;
    static KubernetesClient client;
    static String web;

    @BeforeAll
    static void startSandbox() {
        provisioner = TestSandboxes.provisioner();
        sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("netpol"), "alice", "network-policies", 1,
                null, Set.of(SandboxRequest.NETWORK_POLICY)), (id, phase) -> { });
        client = Kubeconfigs.client(sandbox.kubeconfig());
        for (String ns : List.of("shop", "front", "other")) {
            SandboxBootstrap.learnerNamespace(client, ns);
        }
        client.namespaces().withName("front").edit(n -> new NamespaceBuilder(n)
                .editMetadata().addToLabels("team", "front").endMetadata().build());
        client.pods().inNamespace("shop").resource(new PodBuilder()
                .withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("echo").withImage(TestSandboxes.images().echo())
                .addNewEnv().withName("PORTS").withValue("8080,9090").endEnv()
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("admin").withContainerPort(9090).endPort()
                .endContainer().endSpec().build()).create();
        web = client.services().inNamespace("shop").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web")
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .addNewPort().withName("admin").withPort(9090).withTargetPort(new IntOrString(9090)).endPort()
                .endSpec().build()).create().getSpec().getClusterIP();
        for (String ns : List.of("front", "other")) {
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("client").endMetadata()
                    .withNewSpec().addNewContainer().withName("client").withImage(TestSandboxes.images().toolbox())
                    .withCommand("sleep", "infinity").endContainer().endSpec().build()).create();
        }
        for (String[] pod : new String[][] {{"shop", "web"}, {"front", "client"}, {"other", "client"}}) {
            client.pods().inNamespace(pod[0]).withName(pod[1]).waitUntilReady(3, TimeUnit.MINUTES);
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> curl("front", web + ":80") == 0);
    }

    @AfterAll
    static void deleteSandbox() {
        if (client != null) {
            client.close();
        }
        if (sandbox != null) {
            provisioner.delete(sandbox.id());
        }
    }

    /** Every test starts from an open cluster. */
    @AfterEach
    void removePolicies() {
        for (String ns : List.of("shop", "front", "other")) {
            client.network().v1().networkPolicies().inNamespace(ns).delete();
        }
        await().atMost(APPLIED).until(() -> curl("front", web + ":80") == 0 && curl("other", web + ":80") == 0);
    }

    /** curl's exit code from the client pod in {@code namespace}: 0 answered, 28 timed out (3 s). */
    static int curl(String namespace, String hostPort) {
        Result r = SandboxIsolationIT.sh(client, namespace, "client",
                "curl -sS -o /dev/null --connect-timeout 3 -m 3 http://" + hostPort + "/");
        return r.exit();
    }

    static void apply(String namespace, NetworkPolicy policy) {
        client.network().v1().networkPolicies().inNamespace(namespace).resource(policy).create();
    }

    static NetworkPolicy denyIngress() {
        return new NetworkPolicyBuilder().withNewMetadata().withName("deny-ingress").endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress").endSpec().build();
    }

    @Test
    void defaultDenyIngressMakesAClientsCurlToTheServiceTimeOut() {
        assertThat(curl("front", web + ":80")).isZero();
        apply("shop", denyIngress());
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("front", web + ":80")).isEqualTo(TIMED_OUT));
        assertThat(curl("other", web + ":80")).isEqualTo(TIMED_OUT);
    }

    @Test
    void aNamespaceSelectorAdmitsThatNamespacesClientsAndNotAnothers() {
        apply("shop", denyIngress());
        apply("shop", new NetworkPolicyBuilder().withNewMetadata().withName("from-front").endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector()
                .addNewIngress().addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "front")
                .endNamespaceSelector().endFrom().endIngress().endSpec().build());
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("other", web + ":80")).isEqualTo(TIMED_OUT));
        assertThat(curl("front", web + ":80")).isZero();
    }

    @Test
    void aNamedPortRuleOpensThatPortOfThePodAndNoOther() {
        apply("shop", new NetworkPolicyBuilder().withNewMetadata().withName("http-only").endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector()
                .addNewIngress().addNewPort().withPort(new IntOrString("http")).endPort().endIngress().endSpec().build());
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("front", web + ":9090")).isEqualTo(TIMED_OUT));
        assertThat(curl("front", web + ":80")).as("Service port 80 reaches the pod's port named http").isZero();
    }

    @Test
    void anEgressDenyStopsThatNamespacesClientsOnly() {
        apply("front", new NetworkPolicyBuilder().withNewMetadata().withName("deny-egress").endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Egress").endSpec().build());
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("front", web + ":80")).isEqualTo(TIMED_OUT));
        assertThat(curl("other", web + ":80")).isZero();
    }

    /**
     * What lets a check probe right after a policy write: once the node's acknowledgement reaches the
     * write's resourceVersion, the rules are in force, without any waiting of the probe's own.
     */
    @Test
    void trafficRightAfterTheNodeAcknowledgesAWriteFollowsThatWrite() {
        String rv = client.network().v1().networkPolicies().inNamespace("shop").resource(denyIngress()).create()
                .getMetadata().getResourceVersion();
        for (int round = 0; round < 6; round++) {
            boolean open = round % 2 == 0;
            long written = Long.parseLong(client.network().v1().networkPolicies().inNamespace("shop").withName("deny-ingress")
                    .edit(p -> new NetworkPolicyBuilder(p).editSpec().withIngress(open ? List.of(new NetworkPolicyIngressRule())
                            : List.of()).endSpec().build()).getMetadata().getResourceVersion());
            assertThat(written).isGreaterThan(Long.parseLong(rv));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> acknowledged() >= written);
            assertThat(curl("front", web + ":80")).as("round %d, policy %s", round, open ? "admits all" : "denies")
                    .isEqualTo(open ? 0 : TIMED_OUT);
        }
    }

    static long acknowledged() {
        String acked = client.nodes().list().getItems().get(0).getMetadata().getAnnotations()
                .get(SandboxAddons.NETWORK_POLICY_SYNCED);
        return acked == null ? 0 : Long.parseLong(acked);
    }

    @Test
    void deletingThePolicyRestoresTraffic() {
        apply("shop", denyIngress());
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("front", web + ":80")).isEqualTo(TIMED_OUT));
        client.network().v1().networkPolicies().inNamespace("shop").withName("deny-ingress").delete();
        await().atMost(APPLIED).untilAsserted(() -> assertThat(curl("front", web + ":80")).isZero());
    }

    @Test
    void theLearnerMayWriteNetworkPoliciesWhereTheyAreEnforced() {
        try (KubernetesClient learner = LearnerConfinement.asLearner(client)) {
            learner.network().v1().networkPolicies().inNamespace("other").resource(new NetworkPolicyBuilder()
                    .withNewMetadata().withName("learners").endMetadata().withNewSpec().withNewPodSelector()
                    .addToMatchLabels("app", "nothing").endPodSelector().endSpec().build()).create();
        }
        assertThat(client.network().v1().networkPolicies().inNamespace("other").withName("learners").get()).isNotNull();
    }
}
