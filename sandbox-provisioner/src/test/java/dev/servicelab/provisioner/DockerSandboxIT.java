package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real sandbox from the kit: Services work inside it, privileged pods do not, and the learner is confined. */
class DockerSandboxIT {

    static DockerSandboxProvisioner provisioner;
    static Sandbox sandbox;
    static KubernetesClient client;
    static final List<SandboxPhase> phases = new ArrayList<>();

    @BeforeAll
    static void startSandbox() {
        provisioner = TestSandboxes.provisioner();
        sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("it"), "alice", "clusterip", 1),
                (id, phase) -> phases.add(phase));
        client = Kubeconfigs.client(sandbox.kubeconfig());
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

    @Test
    void startingReportsEachPhaseInOrder() {
        assertThat(phases).containsSubsequence(SandboxPhase.STARTING_CONTAINER, SandboxPhase.API_UP,
                SandboxPhase.NODE_READY, SandboxPhase.DNS_READY);
    }

    @Test
    void anEchoDeploymentBehindAServiceIsReachableByItsDnsName() throws Exception {
        TestSandboxes.deployEchoWeb(client);

        client.apps().deployments().inNamespace("default").withName("web").waitUntilReady(3, TimeUnit.MINUTES);
        List<EndpointSlice> slices = client.discovery().v1().endpointSlices().inNamespace("default")
                .withLabel("kubernetes.io/service-name", "web").list().getItems();
        long addresses = slices.stream().flatMap(s -> s.getEndpoints().stream())
                .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())).count();
        assertThat(addresses).isEqualTo(2);

        Pod curl = client.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("curl").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("curl")
                .withImage(TestSandboxes.images().toolbox()).withImagePullPolicy("IfNotPresent")
                .withCommand("curl", "-sS", "--max-time", "10", "--retry", "5", "--retry-all-errors",
                        "http://web.default.svc.cluster.local/")
                .endContainer().endSpec().build()).create();
        client.pods().inNamespace("default").withName("curl")
                .waitUntilCondition(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()),
                        3, TimeUnit.MINUTES);
        String answer = client.pods().inNamespace("default").withName("curl").getLog();
        assertThat(answer).contains("web-");
    }

    @Test
    void aPrivilegedPodIsRefusedByPodSecurityAdmission() {
        Pod privileged = new PodBuilder().withNewMetadata().withName("root-me").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(TestSandboxes.images().toolbox())
                .withNewSecurityContext().withPrivileged(true).endSecurityContext().endContainer().endSpec().build();
        assertThatThrownBy(() -> client.pods().inNamespace("default").resource(privileged).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("PodSecurity");
    }

    @Test
    void aHostPathPodIsRefusedByPodSecurityAdmission() {
        Pod hostPath = new PodBuilder().withNewMetadata().withName("steal-host").endMetadata()
                .withNewSpec().addNewVolume().withName("host").withNewHostPath().withPath("/").endHostPath().endVolume()
                .addNewContainer().withName("c").withImage(TestSandboxes.images().toolbox()).endContainer().endSpec().build();
        assertThatThrownBy(() -> client.pods().inNamespace("default").resource(hostPath).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("hostPath");
    }

    @Test
    void theLearnerIsProvenConfinedAndASandboxWithoutThePlatformsPodSecurityPolicyIsNot() {
        LearnerConfinement.verify(client);
        var binding = client.admissionRegistration().v1().validatingAdmissionPolicyBindings()
                .withName("servicelab-pod-security").get();
        client.resource(binding).delete();
        try {
            // Where Pod Security labels allow privileged pods (as everywhere on the public k3s image), nothing else refuses.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(() -> LearnerConfinement.verify(client))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("a privileged pod where Pod Security labels allow it was accepted")
                    .hasMessageContaining("not handed out"));
        } finally {
            binding.getMetadata().setResourceVersion(null);
            binding.getMetadata().setUid(null);
            client.resource(binding).create();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatCode(() -> LearnerConfinement.verify(client))
                .doesNotThrowAnyException());
    }

    @Test
    void withoutTheNetworkPolicyAddonALearnersNetworkPolicyIsRefusedWithTheReason() {
        try (KubernetesClient learner = LearnerConfinement.asLearner(client)) {
            assertThatThrownBy(() -> learner.network().v1().networkPolicies().inNamespace("default")
                    .resource(new NetworkPolicyBuilder().withNewMetadata().withName("deny").endMetadata()
                            .withNewSpec().withNewPodSelector().endPodSelector().endSpec().build()).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("NetworkPolicies are not enforced in this sandbox");
        }
        assertThat(SandboxIsolationIT.nodeExec(sandbox.nodes().get(0).containerId(), "iptables-save", "-t", "filter"))
                .as("no policy controller runs").contains("KUBE-FORWARD").doesNotContain("SERVICELAB-NETPOL");
    }

    @Test
    void aRestartedPlatformFindsTheSandboxByItsLabels() {
        DockerSandboxProvisioner restarted = TestSandboxes.provisioner();
        assertThat(restarted.list()).anySatisfy(status -> {
            assertThat(status.sandboxId()).isEqualTo(sandbox.id());
            assertThat(status.owner()).isEqualTo("alice");
            assertThat(status.labId()).isEqualTo("clusterip");
            assertThat(status.running()).isTrue();
        });
        Sandbox attached = restarted.attach(sandbox.id()).orElseThrow();
        try (KubernetesClient again = Kubeconfigs.client(attached.kubeconfig())) {
            assertThat(again.nodes().list().getItems()).hasSize(1);
        }
    }
}
