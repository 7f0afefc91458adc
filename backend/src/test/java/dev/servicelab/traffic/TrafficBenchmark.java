package dev.servicelab.traffic;

import dev.servicelab.ApiClient;
import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Traffic view figures on a real sandbox (bench/traffic.sh): how many requests per second the whole
 * pipeline observes and delivers (node conntrack -> flow stream -> server -> WebSocket client), whether
 * any count is lost, and the lag from a request to the window that reports it. Prints; asserts nothing.
 */
class TrafficBenchmark extends SandboxPlatformTestBase {

    private static final String LAB = "clusterip";
    private static final String NS = "bench";
    private static final String SERVICE = NS + "/web";

    @Autowired
    SandboxService sandboxes;
    @Autowired
    AccountRepository accountRepository;

    @Test
    void measure() throws Exception {
        String learner = newLearner();
        Account account = accountRepository.findByUsername(learner).orElseThrow();
        ApiClient api = api(learner, LEARNER_PASSWORD);
        Sandbox sandbox = EchoWorkload.readySandbox(sandboxes, account, LAB);
        List<String> report = new ArrayList<>();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            EchoWorkload.deploy(client, NS, 3);
            client.services().inNamespace(NS).withName("web").edit(s -> new ServiceBuilder(s).editSpec().withType("NodePort").endSpec().build());
            int nodePort = client.services().inNamespace(NS).withName("web").get().getSpec().getPorts().get(0).getNodePort();
            String node = sandbox.server().address();
            try (TrafficViewer viewer = new TrafficViewer(port, learner, LEARNER_PASSWORD, LAB)) {
                viewer.await("the Service in the topology", Duration.ofSeconds(10), v -> v.topology() != null
                        && v.topology().path("services").toString().contains("\"key\":\"" + SERVICE + "\""));
                // Warm-up: JIT, curl, conntrack.
                burst(api, viewer, "clientPod", 500);

                for (int round = 1; round <= 2; round++) {
                    report.add(burst(api, viewer, "clientPod", 5000));
                }
                report.add(burst(api, viewer, "nodePort", 5000));
                report.add(parallel(api, viewer));
                report.add(lag(viewer, node, nodePort));
                JsonNode stats = viewer.stats();
                report.add("node streams at the end: " + stats.path("nodes"));
                java.util.Map<String, Long> bySource = new java.util.TreeMap<>();
                viewer.totals().forEach((k, n) -> {
                    String[] p = k.split("\\|");
                    bySource.merge(p[0] + " via " + p[1] + " (" + p[4] + ")", n, Long::sum);
                });
                report.add("counted by source and path: " + bySource);
                report.add("counted by path, pod and result: clusterIP " + new java.util.TreeMap<>(viewer.byEndpoint(SERVICE, "clusterIP"))
                        + "; nodePort " + new java.util.TreeMap<>(viewer.byEndpoint(SERVICE, "nodePort")));
            }
        } finally {
            sandboxes.release(account, LAB);
        }
        String text = String.join("\n", report);
        System.out.println("\n==== ServiceLab traffic view benchmark ====\n" + text + "\n");
        Path out = Path.of(System.getProperty("bench.out", "target/traffic-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
    }

    private static long total(TrafficViewer v) {
        return v.sum(SERVICE, "clusterIP") + v.sum(SERVICE, "nodePort");
    }

    private static long lost(TrafficViewer v) {
        long n = 0;
        for (JsonNode node : v.stats().path("nodes")) {
            n += node.path("overruns").asLong() + node.path("dropped").asLong();
        }
        return n;
    }

    /** N requests one way; the rate the generator achieved and the rate the viewer saw them counted at. */
    private String burst(ApiClient api, TrafficViewer viewer, String via, int count) throws Exception {
        long before = total(viewer);
        int messagesBefore = viewer.messages();
        long t0 = System.nanoTime();
        JsonNode summary = send(api, via, count);
        long sent = System.nanoTime();
        String why = "";
        try {
            viewer.await(count + " flows", Duration.ofSeconds(30), v -> total(v) >= before + count);
        } catch (AssertionError e) {
            why = " (timed out)";
        }
        long seen = System.nanoTime();
        long observed = total(viewer) - before;
        double seconds = (seen - t0) / 1e9;
        return String.format("%-9s %5d requests: sent in %.2f s (%.0f/s, %d answered); observed %d (missing %d%s) "
                + "%.2f s after the first was sent = %.0f req/s end to end; last count %.0f ms after the sender finished; "
                + "%d WebSocket messages; lost events so far %d",
                via, count, summary.path("durationMillis").asLong() / 1000.0,
                count * 1000.0 / Math.max(1, summary.path("durationMillis").asLong()), summary.path("answered").asInt(),
                observed, count - observed, why, seconds, observed / seconds, (seen - sent) / 1e6,
                viewer.messages() - messagesBefore, lost(viewer));
    }

    /** From the probe pod and from outside at once: the highest rate this machine can make. */
    private String parallel(ApiClient api, TrafficViewer viewer) throws Exception {
        long before = total(viewer);
        long t0 = System.nanoTime();
        var fromPod = CompletableFuture.supplyAsync(() -> send(api, "clientPod", 5000));
        var fromOutside = CompletableFuture.supplyAsync(() -> send(api, "nodePort", 5000));
        int answered = fromPod.join().path("answered").asInt() + fromOutside.join().path("answered").asInt();
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            viewer.await("10000 flows", Duration.ofSeconds(30), v -> total(v) >= before + 10_000);
        } catch (AssertionError e) {
            // reported below
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long observed = total(viewer) - before;
        return String.format("pod+outside 10000 requests at once: sent in %.2f s (%.0f/s, %d answered); observed %d "
                + "(missing %d) within %.2f s = %.0f req/s end to end; lost events so far %d",
                sendSeconds, 10_000 / sendSeconds, answered, observed, 10_000 - observed, seconds, observed / seconds, lost(viewer));
    }

    /** Single requests from outside, spread over the window: request sent -> WebSocket message that counts it. */
    private String lag(TrafficViewer viewer, String node, int nodePort) throws Exception {
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Thread.sleep(ThreadLocalRandom.current().nextInt(50, 350));
            long before = total(viewer);
            long t0 = System.nanoTime();
            TrafficGenerator.get(node, nodePort, "/", i);
            viewer.await("one more flow", Duration.ofSeconds(5), v -> total(v) > before);
            lags.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(lags);
        return String.format("lag request -> counted in the browser-like client, %d single requests: median %.0f ms, "
                + "p95 %.0f ms, max %.0f ms (window 200 ms)", lags.size(), lags.get(lags.size() / 2),
                lags.get((int) Math.ceil(lags.size() * 0.95) - 1), lags.get(lags.size() - 1));
    }

    private static JsonNode send(ApiClient api, String via, int count) {
        ApiClient.Response r = api.post("/api/v1/labs/" + LAB + "/traffic/requests",
                "{\"service\":\"web\",\"namespace\":\"" + NS + "\",\"via\":\"" + via + "\",\"count\":" + count + "}");
        if (r.status() != 200) {
            throw new IllegalStateException(r.body());
        }
        return r.json();
    }
}
