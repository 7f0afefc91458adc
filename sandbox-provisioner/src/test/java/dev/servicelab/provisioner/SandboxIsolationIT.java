package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Statistics;
import com.sun.net.httpserver.HttpServer;
import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * What a learner's pod may reach, and how far one sandbox can hurt another, on two real sandboxes:
 * A (one node, the host's own address on the egress allow-list) and B (two nodes, the platform in a
 * container joined to its network, as in the compose layout). A tiny HTTP server in this JVM on
 * 0.0.0.0 stands for the platform's HTTP port.
 */
class SandboxIsolationIT {

    static final DockerClient docker = DockerClientFactory.instance().client();
    static HttpServer platformPort;
    static String hostAddress;
    static GenericContainer<?> platformContainer;
    static DockerSandboxProvisioner provisionerA;
    static DockerSandboxProvisioner provisionerB;
    static Sandbox a;
    static Sandbox b;
    static KubernetesClient clientA;
    static KubernetesClient clientB;

    @BeforeAll
    static void startTwoSandboxes() throws Exception {
        platformPort = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        platformPort.createContext("/", exchange -> {
            byte[] body = "platform".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        platformPort.start();
        hostAddress = hostAddress();

        platformContainer = new GenericContainer<>(DockerImageName.parse(TestSandboxes.images().toolbox()))
                .withCommand("sleep", "infinity").withLabel("dev.servicelab.test", "SandboxIsolationIT");
        platformContainer.start();

        provisionerA = new DockerSandboxProvisioner(TestSandboxes.settings()
                .withEgressAllow(hostAddress == null ? List.of() : List.of(hostAddress + "/32")));
        provisionerB = new DockerSandboxProvisioner(TestSandboxes.settings()
                .withPlatformContainer(platformContainer.getContainerId()));
        var startA = CompletableFuture.supplyAsync(() -> provisionerA.create(
                new SandboxRequest(TestSandboxes.newId("iso-a"), "alice", "clusterip", 1), (id, phase) -> { }));
        var startB = CompletableFuture.supplyAsync(() -> provisionerB.create(
                new SandboxRequest(TestSandboxes.newId("iso-b"), "bob", "clusterip", 2), (id, phase) -> { }));
        try {
            a = startA.get(6, TimeUnit.MINUTES);
        } finally {
            b = startB.get(6, TimeUnit.MINUTES);
        }
        clientA = Kubeconfigs.client(a.kubeconfig());
        clientB = Kubeconfigs.client(b.kubeconfig());

        for (KubernetesClient client : List.of(clientA, clientB)) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("client")
                    .endMetadata().withNewSpec().withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c")
                    .withImage(TestSandboxes.images().toolbox()).withImagePullPolicy("IfNotPresent")
                    .withCommand("sleep", "infinity").endContainer().endSpec().build()).create();
        }
        TestSandboxes.deployEchoWeb(clientB);
        for (KubernetesClient client : List.of(clientA, clientB)) {
            client.pods().inNamespace("default").withName("client").waitUntilReady(3, TimeUnit.MINUTES);
        }
        clientB.apps().deployments().inNamespace("default").withName("web").waitUntilReady(3, TimeUnit.MINUTES);
    }

    @AfterAll
    static void deleteEverything() {
        for (KubernetesClient client : new KubernetesClient[] {clientA, clientB}) {
            if (client != null) {
                client.close();
            }
        }
        if (a != null) {
            provisionerA.delete(a.id());
        }
        if (b != null) {
            provisionerB.delete(b.id());
        }
        if (platformContainer != null) {
            platformContainer.stop();
        }
        if (platformPort != null) {
            platformPort.stop(0);
        }
    }

    @Test
    void thePlatformPortOnTheDockerGatewayServesTheHostButRefusesPods() throws Exception {
        HttpResponse<String> fromHost = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromHost.body()).isEqualTo("platform");

        assertRefused(curl(clientA, "http://" + gateway(a) + ":" + port() + "/"));
        assertRefused(curl(clientB, "http://" + gateway(b) + ":" + port() + "/"));
    }

    @Test
    void theMetadataAddressIsRefused() {
        assertRefused(curl(clientB, "http://169.254.169.254/latest/meta-data/"));
    }

    @Test
    void anotherSandboxsNodesAndApiServerAreRefused() {
        SandboxNode other = b.server();
        assertRefused(curl(clientA, "-k https://" + other.address() + ":6443/version"));
        assertRefused(curl(clientA, "-k https://" + other.address() + ":10250/"));
        assertRefused(curl(clientB, "-k https://" + a.server().address() + ":6443/version"));
    }

    @Test
    void theApiServerIsPublishedOnTheHostsLoopbackOnly() {
        var bindings = docker.inspectContainerCmd(a.server().containerId()).exec().getHostConfig().getPortBindings()
                .getBindings();
        assertThat(bindings.get(ExposedPort.tcp(6443))).isNotEmpty()
                .allSatisfy(binding -> assertThat(binding.getHostIp()).isEqualTo("127.0.0.1"));
        int apiPort = a.server().hostPorts().get(6443);
        if (hostAddress != null) {
            assertThatThrownBy(() -> new Socket(hostAddress, apiPort).close()).isInstanceOf(ConnectException.class);
        }
        // A's own pods are allowed the host address, yet find no API port there either.
        assertThat(curl(clientA, "-k https://" + (hostAddress == null ? gateway(a) : hostAddress) + ":" + apiPort + "/")
                .exit()).isNotZero();
    }

    @Test
    void thePlatformInAContainerReachesTheApiServerOnTheSandboxNetwork() {
        assertThat(b.kubeconfig()).contains("server: https://" + b.server().address() + ":6443");
        assertThat(clientB.nodes().list().getItems()).hasSize(2);
    }

    @Test
    void anUnusedClusterIpAndAPortTheServiceDoesNotHaveAreRefusedAtOnce() {
        String clusterIp = clientB.services().inNamespace("default").withName("web").get().getSpec().getClusterIP();
        // kube-proxy programs a new Service's endpoints a moment after the pods are Ready.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(curl(clientB, "http://" + clusterIp + "/").out()).contains("web-"));

        Instant start = Instant.now();
        assertRefused(curl(clientB, "http://10.43.250.250/"));
        assertRefused(curl(clientB, "http://" + clusterIp + ":81/"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anAllowedCidrIsReachableAndOnlyWhereItIsAllowed() {
        Assumptions.assumeTrue(hostAddress != null, "this host has no address outside Docker's bridges");
        assertThat(curl(clientA, "http://" + hostAddress + ":" + port() + "/").out()).isEqualTo("platform");
        assertRefused(curl(clientB, "http://" + hostAddress + ":" + port() + "/"));
    }

    @Test
    void theEgressChainsComeFirstInForwardAndOutputOnEveryNode() {
        for (SandboxNode node : b.nodes()) {
            String rules = nodeExec(node.containerId(), "iptables", "-w", "-S");
            assertThat(rules.lines().filter(l -> l.startsWith("-A FORWARD")).findFirst())
                    .hasValue("-A FORWARD -j SERVICELAB-EGRESS");
            assertThat(rules.lines().filter(l -> l.startsWith("-A OUTPUT")).findFirst())
                    .hasValue("-A OUTPUT -j SERVICELAB-NODE-EGRESS");
        }
    }

    @Test
    void aNamespaceTheLearnerCreatesGetsTheQuotaAndLimits() {
        try (KubernetesClient learner = asLearner(a)) {
            learner.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata()
                    .build()).create();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(clientA.namespaces().withName("team")
                    .get().getMetadata().getLabels()).containsEntry(SandboxBootstrap.LIMITS_LABEL, "applied"));
            assertThat(clientA.resourceQuotas().inNamespace("team").withName("learner-quota").get().getSpec().getHard())
                    .containsEntry("pods", new Quantity("30"));

            Pod plain = learner.pods().inNamespace("team").resource(pod("plain", null)).create();
            assertThat(plain.getSpec().getContainers().get(0).getResources().getLimits())
                    .containsEntry("memory", new Quantity("128Mi"));
            assertThatThrownBy(() -> learner.pods().inNamespace("team").resource(pod("greedy", "1Gi")).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("maximum memory usage per Container is 512Mi");
            assertThatThrownBy(() -> learner.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                    .withName("sneaky").addToLabels(SandboxBootstrap.LIMITS_LABEL, "applied").endMetadata().build())
                    .create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("set by the platform");
        }
    }

    @Test
    void aForkBombStopsAtItsPodsPidsLimitWhileTheOtherSandboxKeepsServing() {
        assertThat(docker.inspectContainerCmd(a.server().containerId()).exec().getHostConfig().getPidsLimit())
                .isEqualTo(2048L);
        long before = pids(a.server().containerId());
        clientA.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("bomb").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(0L).withRestartPolicy("Never").addNewContainer()
                .withName("bomb").withImage(TestSandboxes.images().toolbox()).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "timeout 60 sh -c 'f(){ f|f& }; f'; sleep 3600")
                .endContainer().endSpec().build()).create();
        try {
            AtomicLong most = new AtomicLong();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                most.accumulateAndGet(pids(a.server().containerId()), Math::max);
                assertThat(most.get() - before).isGreaterThan(400);
            });
            Instant start = Instant.now();
            assertThat(clientB.pods().inNamespace("default").list().getItems()).isNotEmpty();
            assertThat(curl(clientB, "http://web.default.svc.cluster.local/").out()).contains("web-");
            Duration otherAnswered = Duration.between(start, Instant.now());
            for (int i = 0; i < 5; i++) {
                most.accumulateAndGet(pids(a.server().containerId()), Math::max);
            }
            System.out.printf("fork bomb: node A pids %d before, at most %d during (node limit 2048, pod limit 512); "
                    + "sandbox B answered kubectl and a Service request in %d ms%n", before, most.get(),
                    otherAnswered.toMillis());
            assertThat(most.get()).isLessThan(2048);
            // The bomb's own node still works too: its pod limit left room for the kubelet and the API.
            assertThat(clientA.pods().inNamespace("default").withName("bomb").get()).isNotNull();
        } finally {
            clientA.pods().inNamespace("default").withName("bomb").withGracePeriod(0).delete();
        }
    }

    @Test
    void aDiskFillerIsEvictedAtItsEphemeralStorageLimit() {
        clientA.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("filler").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(0L).withRestartPolicy("Never").addNewContainer()
                .withName("filler").withImage(TestSandboxes.images().toolbox()).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "dd if=/dev/zero of=/root/filler bs=1M count=400; sleep 3600")
                .endContainer().endSpec().build()).create();
        try {
            Instant start = Instant.now();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Pod filler = clientA.pods().inNamespace("default").withName("filler").get();
                assertThat(filler.getStatus().getReason()).isEqualTo("Evicted");
                assertThat(filler.getStatus().getMessage()).contains("ephemeral local storage usage exceeds")
                        .contains("256Mi");
            });
            System.out.printf("disk filler (400 MiB into a 256Mi default limit) evicted after %d ms%n",
                    Duration.between(start, Instant.now()).toMillis());
        } finally {
            clientA.pods().inNamespace("default").withName("filler").withGracePeriod(0).delete();
        }
    }

    // --- helpers ---

    record Result(int exit, String out, String err) {
    }

    /**
     * Refused, not merely unanswered: curl could not connect (exit 7, not 28 for a timeout), and knew
     * at once ("after 0 ms"), as a TCP reset tells it. curl 7.88 words ECONNREFUSED as "Couldn't
     * connect to server".
     */
    static void assertRefused(Result result) {
        assertThat(result.exit()).as("curl exit code (7: could not connect), stderr: %s", result.err()).isEqualTo(7);
        Matcher after = Pattern.compile("after (\\d+) ms").matcher(result.err());
        assertThat(after.find()).as("curl says how long it tried: %s", result.err()).isTrue();
        assertThat(Long.parseLong(after.group(1))).as("refused at once: %s", result.err()).isLessThan(1000);
    }

    /** curl from the learner's pod {@code client} in default: fails fast, never retries. */
    static Result curl(KubernetesClient client, String args) {
        return sh(client, "default", "client", "curl -sS --connect-timeout 5 -m 10 " + args);
    }

    static Result sh(KubernetesClient client, String namespace, String pod, String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).writingOutput(out)
                .writingError(err).exec("sh", "-c", script)) {
            int exit = watch.exitCode().get(1, TimeUnit.MINUTES);
            return new Result(exit, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("exec in " + pod + " failed: " + e, e);
        }
    }

    /** A command in a node container, as the platform (never the learner) can. */
    static String nodeExec(String container, String... command) {
        String id = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * How many processes the node container holds now: from its pids cgroup on this host (cheap even
     * while a fork bomb saturates the CPUs, where `docker stats` can take tens of seconds), else docker stats.
     */
    static long pids(String container) {
        String id = docker.inspectContainerCmd(container).exec().getId();
        for (String file : List.of("/sys/fs/cgroup/pids/docker/" + id + "/pids.current",
                "/sys/fs/cgroup/docker/" + id + "/pids.current",
                "/sys/fs/cgroup/system.slice/docker-" + id + ".scope/pids.current")) {
            try {
                return Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip());
            } catch (IOException | NumberFormatException e) {
                // not this cgroup layout
            }
        }
        AtomicLong current = new AtomicLong();
        try (var callback = docker.statsCmd(container).withNoStream(true).exec(new ResultCallback.Adapter<Statistics>() {
            @Override
            public void onNext(Statistics statistics) {
                if (statistics.getPidsStats() != null && statistics.getPidsStats().getCurrent() != null) {
                    current.set(statistics.getPidsStats().getCurrent());
                }
            }
        })) {
            callback.awaitCompletion(30, TimeUnit.SECONDS);
            return current.get();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The sandbox's admin, impersonating the learner's ServiceAccount as the terminal's kubectl is. */
    static KubernetesClient asLearner(Sandbox sandbox) {
        try (KubernetesClient admin = Kubeconfigs.client(sandbox.kubeconfig())) {
            Config config = new ConfigBuilder(admin.getConfiguration())
                    .withImpersonateUsername("system:serviceaccount:servicelab-system:learner")
                    .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:servicelab-system",
                            "system:authenticated").build();
            return new KubernetesClientBuilder().withConfig(config).build();
        }
    }

    static Pod pod(String name, String memoryLimit) {
        var container = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c")
                .withImage(TestSandboxes.images().toolbox()).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "infinity");
        if (memoryLimit != null) {
            container = container.withNewResources().addToLimits("memory", new Quantity(memoryLimit)).endResources();
        }
        return container.endContainer().endSpec().build();
    }

    static int port() {
        return platformPort.getAddress().getPort();
    }

    static String gateway(Sandbox sandbox) {
        return docker.inspectNetworkCmd().withNetworkId("servicelab-" + sandbox.id()).exec().getIpam().getConfig()
                .get(0).getGateway();
    }

    /** An IPv4 address of this host outside Docker's bridges (its LAN address), or null. */
    static String hostAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            String name = nic.getName();
            if (!nic.isUp() || nic.isLoopback() || name.startsWith("docker") || name.startsWith("br-")
                    || name.startsWith("veth")) {
                continue;
            }
            for (var address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
            }
        }
        return null;
    }
}
