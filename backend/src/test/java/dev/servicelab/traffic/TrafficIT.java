package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The live traffic view on a real sandbox: requests through a ClusterIP, a NodePort and the tunnel's
 * LoadBalancer IP are observed on the node (conntrack), named by pod, and counted exactly; deleting a
 * pod shows in the topology and in where the flows go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrafficIT extends SandboxPlatformTestBase {

    static final String LAB = "clusterip";
    static final String NS = "traffic";
    static final String SERVICE = NS + "/web";

    @Autowired
    SandboxService sandboxes;
    @Autowired
    AccountRepository accountRepository;

    String learner;
    Account account;
    Sandbox sandbox;
    KubernetesClient client;
    TrafficViewer viewer;
    ApiClient api;

    @BeforeAll
    void sandboxWithThreeEchoPods() throws Exception {
        learner = newLearner();
        account = accountRepository.findByUsername(learner).orElseThrow();
        api = api(learner, LEARNER_PASSWORD);
        sandbox = EchoWorkload.readySandbox(sandboxes, account, LAB);
        client = Kubeconfigs.client(sandbox.kubeconfig());
        EchoWorkload.deploy(client, NS, 3);
        viewer = new TrafficViewer(port, learner, LEARNER_PASSWORD, LAB);
    }

    @AfterAll
    void cleanUp() {
        if (viewer != null) {
            viewer.close();
        }
        if (client != null) {
            client.close();
        }
        if (account != null) {
            sandboxes.release(account, LAB);
        }
    }

    private List<String> readyPods() {
        return client.pods().inNamespace(NS).withLabel("app", "web").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .map(p -> NS + "/" + p.getMetadata().getName()).sorted().toList();
    }

    private static JsonNode service(TrafficViewer v, String key) {
        if (v.topology() == null) {
            return null;
        }
        for (JsonNode s : v.topology().path("services")) {
            if (key.equals(s.path("key").asString())) {
                return s;
            }
        }
        return null;
    }

    private static List<String> readyEndpointPods(TrafficViewer v) {
        JsonNode s = service(v, SERVICE);
        if (s == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        s.path("endpoints").forEach(e -> {
            if (e.path("ready").asBoolean() && !e.path("terminating").asBoolean()) {
                out.add(e.path("pod").asString());
            }
        });
        return out.stream().sorted().toList();
    }

    /** Sends without asserting: how many were answered (kube-proxy may still be syncing its rules). */
    private int trySend(String via, int count) {
        ApiClient.Response response = api.post("/api/v1/labs/" + LAB + "/traffic/requests",
                "{\"service\":\"web\",\"namespace\":\"" + NS + "\",\"via\":\"" + via + "\",\"count\":" + count + "}");
        return response.status() == 200 ? response.json().path("answered").asInt() : 0;
    }

    /**
     * kube-proxy applies a change (a new endpoint, a new external IP) a moment after the API shows it;
     * warm up until the path answers as wanted, then let those flows reach the viewer before counting:
     * until its totals hold still for longer than a flow may wait for its answer.
     */
    private void warmUp(String via, java.util.function.BooleanSupplier settled) {
        await("requests " + via + " all answered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> trySend(via, 10) == 10 && settled.getAsBoolean());
        Duration quiet = Duration.ofMillis(2500);
        AtomicReference<Map<String, Long>> seen = new AtomicReference<>(viewer.totals());
        AtomicLong changedAt = new AtomicLong(System.nanoTime());
        await("the viewer's totals holding still for " + quiet.toMillis() + " ms").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    Map<String, Long> now = viewer.totals();
                    if (!now.equals(seen.getAndSet(now))) {
                        changedAt.set(System.nanoTime());
                    }
                    return System.nanoTime() - changedAt.get() >= quiet.toNanos();
                });
    }

    private JsonNode send(String via, int count) {
        ApiClient.Response response = api.post("/api/v1/labs/" + LAB + "/traffic/requests",
                "{\"service\":\"web\",\"namespace\":\"" + NS + "\",\"via\":\"" + via + "\",\"count\":" + count + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode summary = response.json();
        assertThat(summary.path("answered").asInt()).as(response.body()).isEqualTo(count);
        return summary;
    }

    @Test
    @Order(1)
    void requestsThroughAClusterIpAreSeenPerPodAndAddUpToWhatWasSent() throws Exception {
        List<String> pods = readyPods();
        assertThat(pods).hasSize(3);
        viewer.await("the Service with its three pods as endpoints", Duration.ofSeconds(10),
                v -> readyEndpointPods(v).equals(pods));
        assertThat(service(viewer, SERVICE).path("type").asString()).isEqualTo("ClusterIP");
        assertThat(service(viewer, SERVICE).path("pods").size()).isEqualTo(3);

        // Ready pods may not all be in kube-proxy's rules yet: count only once each has answered.
        warmUp("clientPod", () -> viewer.byEndpoint(SERVICE, "clusterIP").keySet().containsAll(pods));
        long base = viewer.sum(SERVICE, "clusterIP");
        Map<String, Long> before = viewer.byEndpoint(SERVICE, "clusterIP");

        send("clientPod", 300);

        viewer.await("300 flows through the ClusterIP", Duration.ofSeconds(10), v -> v.sum(SERVICE, "clusterIP") >= base + 300);
        Map<String, Long> byPod = viewer.byEndpoint(SERVICE, "clusterIP");
        assertThat(byPod.keySet()).containsExactlyInAnyOrderElementsOf(pods);
        assertThat(pods).allMatch(p -> byPod.get(p) > before.getOrDefault(p, 0L));
        assertThat(viewer.sum(SERVICE, "clusterIP")).isEqualTo(base + 300);
        assertThat(viewer.totals().keySet()).allMatch(k -> !k.contains("|" + SERVICE + "|") || k.startsWith("servicelab-system/probe-server|"));
        assertThat(viewer.stats().path("nodes").get(0).path("overruns").asLong()).isZero();
    }

    @Test
    @Order(2)
    void aDeletedPodLeavesTheTopologyAndTheFlowsGoToTheOthers() throws Exception {
        List<String> before = readyPods();
        String victim = before.get(0);
        long victimCount = viewer.byEndpoint(SERVICE, "clusterIP").getOrDefault(victim, 0L);
        client.pods().inNamespace(NS).withName(victim.substring(NS.length() + 1)).withGracePeriod(0).delete();

        viewer.await("the deleted pod gone from the endpoints", Duration.ofSeconds(5),
                v -> !readyEndpointPods(v).contains(victim));
        viewer.await("a replacement pod ready behind the Service", Duration.ofMinutes(1),
                v -> readyEndpointPods(v).size() == 3);
        List<String> after = readyEndpointPods(viewer);
        assertThat(after).doesNotContain(victim);
        String replacement = after.stream().filter(p -> !before.contains(p)).findFirst().orElseThrow();
        assertThat(viewer.topology().path("pods").toString()).doesNotContain("\"key\":\"" + victim + "\"");
        warmUp("clientPod", () -> viewer.byEndpoint(SERVICE, "clusterIP").getOrDefault(replacement, 0L) > 0);

        long total = viewer.sum(SERVICE, "clusterIP");
        send("clientPod", 300);
        viewer.await("300 more flows", Duration.ofSeconds(10), v -> v.sum(SERVICE, "clusterIP") >= total + 300);
        Map<String, Long> byPod = viewer.byEndpoint(SERVICE, "clusterIP");
        assertThat(viewer.sum(SERVICE, "clusterIP")).isEqualTo(total + 300);
        assertThat(byPod.getOrDefault(victim, 0L)).as("the deleted pod answers no more").isEqualTo(victimCount);
        assertThat(byPod.get(replacement)).as("the new pod takes its share").isPositive();
    }

    @Test
    @Order(3)
    void requestsFromOutsideThroughANodePortAreSeenAsComingFromOutside() throws Exception {
        client.services().inNamespace(NS).withName("web").edit(s -> new ServiceBuilder(s).editSpec().withType("NodePort").endSpec().build());
        viewer.await("the Service shown as a NodePort", Duration.ofSeconds(5),
                v -> service(v, SERVICE) != null && "NodePort".equals(service(v, SERVICE).path("type").asString())
                        && service(v, SERVICE).path("ports").get(0).path("nodePort").asInt() > 0);

        send("nodePort", 200);

        viewer.await("200 flows through the nodePort", Duration.ofSeconds(10), v -> v.sum(SERVICE, "nodePort") >= 200);
        assertThat(viewer.sum(SERVICE, "nodePort")).isEqualTo(200);
        assertThat(viewer.byEndpoint(SERVICE, "nodePort").keySet()).containsExactlyInAnyOrderElementsOf(readyPods());
        assertThat(viewer.totals().entrySet().stream().filter(e -> e.getKey().contains("|nodePort|"))
                .map(e -> e.getKey().split("\\|")[0]).distinct().toList()).doesNotContain("servicelab-system/probe-server");
    }

    @Test
    @Order(4)
    void requestsThroughTheTunnelReachTheLoadBalancerIp() throws Exception {
        client.services().inNamespace(NS).withName("web").edit(s -> new ServiceBuilder(s).editSpec().withType("LoadBalancer").endSpec().build());
        sandboxes.tunnel(account, LAB, true);
        viewer.await("the LoadBalancer with its external IP", Duration.ofSeconds(10),
                v -> service(v, SERVICE) != null && service(v, SERVICE).path("externalIPs").size() > 0);

        warmUp("tunnel", () -> true);
        long base = viewer.sum(SERVICE, "loadBalancer");

        send("tunnel", 200);

        viewer.await("200 flows through the LoadBalancer IP", Duration.ofSeconds(10), v -> v.sum(SERVICE, "loadBalancer") >= base + 200);
        assertThat(viewer.sum(SERVICE, "loadBalancer")).isEqualTo(base + 200);
        assertThat(viewer.byEndpoint(SERVICE, "loadBalancer").keySet()).containsExactlyInAnyOrderElementsOf(readyPods());
        sandboxes.tunnel(account, LAB, false);
    }

    @Test
    @Order(5)
    void aReconnectingViewerStartsFromTheSameTotals() throws Exception {
        Map<String, Long> seen = viewer.totals();
        try (TrafficViewer again = new TrafficViewer(port, learner, LEARNER_PASSWORD, LAB)) {
            again.await("the snapshot", Duration.ofSeconds(5), v -> v.topology() != null);
            assertThat(again.totals()).isEqualTo(seen);
            assertThat(service(again, SERVICE)).isNotNull();
        }
    }

    @Test
    @Order(6)
    void sendingToAMissingServiceIsAProblemDetail() {
        ApiClient.Response response = api.post("/api/v1/labs/" + LAB + "/traffic/requests",
                "{\"service\":\"nope\",\"namespace\":\"" + NS + "\",\"via\":\"clientPod\",\"count\":5}");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).contains("application/problem+json");
        assertThat(response.json().path("type").asString()).isEqualTo("/problems/traffic-service-not-found");
    }
}
