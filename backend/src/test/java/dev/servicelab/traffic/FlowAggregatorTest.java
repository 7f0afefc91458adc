package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.flows.FlowEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FlowAggregatorTest {

    static final Resolver RESOLVER = new Resolver(
            Map.of("10.42.0.9", "servicelab-system/probe-server", "10.42.0.11", "shop/web-a", "10.42.0.12", "shop/web-b"),
            Map.of("10.43.0.20:80", "shop/web", "10.43.0.10:53", "kube-system/kube-dns"),
            Map.of(30080, "shop/web"), Map.of("172.18.0.2:80", "shop/web"), Map.of("172.18.0.2", "server node"),
            Set.of("kube-system/kube-dns"));

    static FlowEvent parse(String line) {
        return FlowEvent.parse(line);
    }

    static FlowEvent newFlow(long id, String src, String dst, String to) {
        return parse("{\"t\":" + System.currentTimeMillis() + ",\"ev\":\"new\",\"id\":" + id + ",\"p\":\"tcp\",\"src\":\"" + src
                + "\",\"dst\":\"" + dst + "\",\"to\":\"" + to + "\"}");
    }

    static FlowEvent reply(long id, String result) {
        return parse("{\"t\":" + System.currentTimeMillis() + ",\"ev\":\"reply\",\"id\":" + id + ",\"res\":\"" + result + "\"}");
    }

    static Map<String, Long> byEndpoint(List<FlowCount> counts) {
        Map<String, Long> out = new HashMap<>();
        counts.forEach(c -> out.merge(c.via() + " " + c.endpoint() + " " + c.result(), c.count(), Long::sum));
        return out;
    }

    @Test
    void aBurstFromManyThreadsIsCountedExactlyOnceInOneWindow() throws Exception {
        FlowAggregator aggregator = new FlowAggregator(Duration.ofSeconds(2));
        int threads = 4;
        int perThread = 5000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    long id = base + i;
                    aggregator.accept("server", newFlow(id, "10.42.0.9:" + (10000 + i % 50000), "10.43.0.20:80",
                            id % 2 == 0 ? "10.42.0.11:8080" : "10.42.0.12:8080"));
                    aggregator.accept("server", reply(id, "ok"));
                    aggregator.accept("server", reply(id, "ok")); // a repeated line counts once
                }
                done.countDown();
            }).start();
        }
        done.await();
        FlowAggregator.Window window = aggregator.flush(RESOLVER);
        assertThat(byEndpoint(window.counts())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "clusterIP shop/web-a ok", 10_000L, "clusterIP shop/web-b ok", 10_000L));
        assertThat(window.counts()).allMatch(c -> c.source().equals("servicelab-system/probe-server") && c.sourceKind().equals("pod"));
        assertThat(aggregator.flush(RESOLVER).isEmpty()).isTrue();
        assertThat(aggregator.totals()).extracting(FlowCount::count).containsExactlyInAnyOrder(10_000L, 10_000L);
    }

    @Test
    void resultsPathsAndHiddenServicesAreTold() throws Exception {
        FlowAggregator aggregator = new FlowAggregator(Duration.ofMillis(50));
        aggregator.accept("server", newFlow(1, "172.18.0.1:5000", "172.18.0.2:30080", "10.42.0.11:8080"));
        aggregator.accept("server", reply(1, "ok"));
        aggregator.accept("server", newFlow(2, "172.18.0.1:5001", "172.18.0.2:80", "10.42.0.12:8080"));
        aggregator.accept("server", reply(2, "reset"));
        aggregator.accept("server", newFlow(3, "10.42.0.9:5002", "10.43.0.20:80", "10.43.0.20:80"));
        aggregator.accept("server", reply(3, "reset"));
        aggregator.accept("server", newFlow(4, "10.42.0.9:5003", "10.43.0.10:53", "10.42.0.3:53"));
        aggregator.accept("server", reply(4, "ok"));
        aggregator.accept("server", newFlow(5, "10.42.0.9:5004", "10.43.0.20:80", "10.42.0.11:8080"));
        // Flow 5 has no reply: it counts as unanswered in a window after its reply timeout.
        List<FlowCount> counted = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            counted.addAll(aggregator.flush(RESOLVER).counts());
            assertThat(byEndpoint(counted)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "nodePort shop/web-a ok", 1L,
                    "loadBalancer shop/web-b reset", 1L,
                    "clusterIP - no-endpoint", 1L,
                    "clusterIP shop/web-a unanswered", 1L));
        });
        assertThat(counted).filteredOn(c -> c.via().equals("nodePort")).extracting(FlowCount::sourceKind).containsOnly("outside");
        assertThat(aggregator.hidden()).isEqualTo(1);
    }

    @Test
    void aFailedAttemptThatTheClientRetriesIsOneRequest() throws Exception {
        FlowAggregator aggregator = new FlowAggregator(Duration.ofMillis(50));
        aggregator.accept("server", newFlow(9, "172.18.0.1:40000", "172.18.0.2:30080", "10.42.0.11:8080"));
        aggregator.accept("server", parse("{\"t\":1,\"ev\":\"end\",\"id\":9,\"res\":\"unanswered\",\"p\":\"tcp\","
                + "\"src\":\"172.18.0.1:40000\",\"dst\":\"172.18.0.2:30080\",\"to\":\"10.42.0.11:8080\"}"));
        aggregator.accept("server", newFlow(9, "172.18.0.1:40000", "172.18.0.2:30080", "10.42.0.12:8080"));
        aggregator.accept("server", reply(9, "ok"));
        aggregator.accept("server", newFlow(10, "172.18.0.1:40001", "172.18.0.2:30080", "10.42.0.11:8080"));
        aggregator.accept("server", parse("{\"t\":1,\"ev\":\"end\",\"id\":10,\"res\":\"unanswered\",\"p\":\"tcp\","
                + "\"src\":\"172.18.0.1:40001\",\"dst\":\"172.18.0.2:30080\",\"to\":\"10.42.0.11:8080\"}"));
        assertThat(byEndpoint(aggregator.flush(RESOLVER).counts())).containsExactlyInAnyOrderEntriesOf(Map.of("nodePort shop/web-b ok", 1L));
        List<FlowCount> later = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            later.addAll(aggregator.flush(RESOLVER).counts());
            assertThat(byEndpoint(later)).containsExactlyInAnyOrderEntriesOf(Map.of("nodePort shop/web-a unanswered", 1L));
        });
    }
}
