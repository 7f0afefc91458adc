package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * A learner's own objects survive freezing, hibernation (snapshot, remove, restore) and a killed node
 * (restore from the last snapshot taken while it ran). The tests follow one learner's cluster through
 * its life, in order, to start as few sandboxes as possible.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HibernationIT {

    static final String NS = "shop";
    static final int NODE_PORT = 30080;

    static DockerSandboxProvisioner provisioner;
    static Sandbox sandbox;
    static String clusterIp;
    static SandboxSnapshot whileRunning;

    @BeforeAll
    static void aLearnerBuildsTheirOwnObjects() {
        provisioner = TestSandboxes.provisioner();
        sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("hib"), "ada", "nodeport", 1), (id, p) -> { });
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
            client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
                    .endMetadata().addToData("greeting", "hello").build()).create();
            client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("password")
                    .endMetadata().addToStringData("password", "s3cret").build()).create();
            client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .withTemplate(echo("web")).endSpec().build()).create();
            client.services().inNamespace(NS).resource(new ServiceBuilder()
                    .withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withType("NodePort").addToSelector("app", "web").addNewPort().withPort(80)
                    .withTargetPort(new IntOrString(8080)).withNodePort(NODE_PORT).endPort().endSpec().build()).create();
            client.services().inNamespace(NS).resource(new ServiceBuilder()
                    .withNewMetadata().withName("db").endMetadata()
                    .withNewSpec().withClusterIP("None").addToSelector("app", "db").addNewPort().withPort(8080).endPort()
                    .endSpec().build()).create();
            client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName("db").endMetadata()
                    .withNewSpec().withServiceName("db").withReplicas(2).withNewSelector().addToMatchLabels("app", "db")
                    .endSelector().withTemplate(echo("db")).endSpec().build()).create();
            client.apps().deployments().inNamespace(NS).withName("web").waitUntilReady(4, TimeUnit.MINUTES);
            client.apps().statefulSets().inNamespace(NS).withName("db").waitUntilReady(4, TimeUnit.MINUTES);
            clusterIp = client.services().inNamespace(NS).withName("web").get().getSpec().getClusterIP();
        }
    }

    private static PodTemplateSpec echo(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("echo")
                .withImage(TestSandboxes.images().echo()).withImagePullPolicy("IfNotPresent")
                .addNewPort().withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/").endHttpGet()
                .withPeriodSeconds(1).endReadinessProbe().endContainer().endSpec().build();
    }

    @AfterAll
    static void removeTheSandbox() {
        if (sandbox != null) {
            provisioner.delete(sandbox.id());
        }
    }

    @Test
    @Order(1)
    void aFrozenSandboxAnswersAgainWithinSecondsOfThawing() {
        provisioner.freeze(sandbox.id());
        assertThat(provisioner.list()).anySatisfy(s -> {
            assertThat(s.sandboxId()).isEqualTo(sandbox.id());
            assertThat(s.frozen()).isTrue();
        });
        // Paused is not dead: another replica's health check or first use (attach) finds it there.
        assertThat(provisioner.isAlive(sandbox.id())).as("alive while paused").isTrue();
        assertThat(provisioner.attach(sandbox.id())).as("attachable while paused").isPresent();
        Instant thawed = Instant.now();
        provisioner.thaw(sandbox.id());
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            // bench/hibernate.sh measures the resume time (target < 2 s); a loaded CI host gets some slack here.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> client.services().inNamespace(NS).withName("web").get() != null);
        }
        System.out.printf("API answering %d ms after thaw%n", Duration.between(thawed, Instant.now()).toMillis());
        assertThat(provisioner.isAlive(sandbox.id())).isTrue();
    }

    @Test
    @Order(2)
    void aKilledNodeIsRestoredFromTheSnapshotTakenWhileItRan() {
        whileRunning = provisioner.snapshot(sandbox.id());
        assertThat(provisioner.isAlive(sandbox.id())).as("a snapshot leaves a running sandbox running").isTrue();
        assertThat(whileRunning.size()).isLessThan(20 * 1024 * 1024);
        System.out.printf("snapshot of a running sandbox: %d KiB%n", whileRunning.size() / 1024);

        DockerClientFactory.instance().client().killContainerCmd(sandbox.server().containerId()).exec();
        provisioner.delete(sandbox.id());

        restoreAndCheck(whileRunning);
    }

    @Test
    @Order(3)
    void aHibernatedSandboxIsRestoredWithEverythingTheLearnerMade() {
        provisioner.freeze(sandbox.id());
        SandboxSnapshot hibernated = provisioner.snapshot(sandbox.id());
        assertThat(provisioner.list()).as("a frozen sandbox stays frozen while it is saved")
                .anySatisfy(s -> assertThat(s.frozen()).isTrue());
        provisioner.delete(sandbox.id());
        assertThat(hibernated.size()).isLessThan(20 * 1024 * 1024);

        restoreAndCheck(hibernated);
    }

    @Test
    @Order(4)
    void aSnapshotFromAnotherNodeImageIsRefusedWithWhatToDoInstead() {
        SandboxSnapshot older = new SandboxSnapshot("servicelab/kube-node:v1.35.0-sl1", whileRunning.archive(),
                whileRunning.contentHash(), whileRunning.takenAt());
        assertThatThrownBy(() -> provisioner.create(new SandboxRequest(TestSandboxes.newId("hib"), "ada", "nodeport", 1,
                older), (id, p) -> { }))
                .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.reason())
                        .isEqualTo(SandboxException.Reason.INCOMPATIBLE_SNAPSHOT))
                .hasMessageContaining("v1.35.0-sl1")
                .hasMessageContaining("Start a fresh cluster");
    }

    private static void restoreAndCheck(SandboxSnapshot snapshot) {
        Instant started = Instant.now();
        String oldNode = sandbox.server().name();
        sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("hib"), "ada", "nodeport", 1, snapshot),
                (id, p) -> { });
        System.out.printf("restored in %d ms%n", Duration.between(started, Instant.now()).toMillis());
        Instant since = started.truncatedTo(ChronoUnit.SECONDS);
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            assertThat(client.nodes().list().getItems()).singleElement()
                    .satisfies(n -> assertThat(n.getMetadata().getName()).isEqualTo(oldNode));
            assertThat(client.configMaps().inNamespace(NS).withName("settings").get().getData())
                    .containsEntry("greeting", "hello");
            assertThat(client.secrets().inNamespace(NS).withName("password").get().getData()).containsKey("password");
            Service web = client.services().inNamespace(NS).withName("web").get();
            assertThat(web.getSpec().getClusterIP()).isEqualTo(clusterIp);
            assertThat(web.getSpec().getPorts().get(0).getNodePort()).isEqualTo(NODE_PORT);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                var pods = client.pods().inNamespace(NS).list().getItems();
                assertThat(pods).hasSize(4).allMatch(p -> SandboxBootstrap.readySince(p, since),
                        "Ready, restarted on the new node");
            });
            assertThat(client.pods().inNamespace(NS).list().getItems()).extracting(p -> p.getMetadata().getName())
                    .contains("db-0", "db-1");
            // From outside the cluster, through the NodePort, as a learner's browser or check would.
            String node = sandbox.server().address();
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().untilAsserted(() ->
                    assertThat(get("http://" + node + ":" + NODE_PORT + "/")).contains("web-"));
        }
    }

    private static String get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
