package dev.servicelab.traffic;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A browser-like client of /ws/traffic: keeps the topology and the totals as traffic.js does, and
 * lets a test wait until they say something.
 */
final class TrafficViewer implements AutoCloseable {

    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Long> totals = new HashMap<>();
    private final List<Arrival> arrivals = new ArrayList<>();
    private JsonNode topology;
    private JsonNode stats;
    private int messages;
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();

    /** When a window message arrived and how many flows it carried for which keys. */
    record Arrival(long nanos, Map<String, Long> counts) {
    }

    TrafficViewer(int port, String username, String password, String lab) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", basic)
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/traffic?lab=" + lab), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            handle(partial.toString(), System.nanoTime());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** "source|via|service|endpoint|result", the key tests count by. */
    static String key(JsonNode c) {
        return c.path("source").asString() + "|" + c.path("via").asString() + "|" + c.path("service").asString() + "|"
                + c.path("endpoint").asString() + "|" + c.path("result").asString();
    }

    private synchronized void handle(String text, long nanos) {
        JsonNode msg = json.readTree(text);
        messages++;
        switch (msg.path("type").asString()) {
            case "snapshot" -> {
                topology = msg.path("topology");
                stats = msg.path("stats");
                totals.clear();
                msg.path("totals").forEach(c -> totals.put(key(c), c.path("count").asLong()));
            }
            case "topology" -> topology = msg.path("topology");
            case "flows" -> {
                stats = msg.path("stats");
                Map<String, Long> counts = new HashMap<>();
                msg.path("window").forEach(c -> counts.put(key(c), c.path("count").asLong()));
                msg.path("totals").forEach(c -> totals.put(key(c), c.path("count").asLong()));
                if (!counts.isEmpty()) {
                    arrivals.add(new Arrival(nanos, counts));
                }
            }
            default -> {
            }
        }
        notifyAll();
    }

    synchronized Map<String, Long> totals() {
        return new HashMap<>(totals);
    }

    synchronized JsonNode topology() {
        return topology;
    }

    synchronized JsonNode stats() {
        return stats;
    }

    synchronized List<Arrival> arrivals() {
        return new ArrayList<>(arrivals);
    }

    synchronized int messages() {
        return messages;
    }

    /** Flows to a Service ("namespace/name") by one path (clusterIP, nodePort, loadBalancer), per endpoint. */
    synchronized Map<String, Long> byEndpoint(String service, String via) {
        Map<String, Long> out = new HashMap<>();
        totals.forEach((k, n) -> {
            String[] p = k.split("\\|");
            if (p[1].equals(via) && p[2].equals(service)) {
                out.merge(p[3] + (p[4].equals("ok") ? "" : " (" + p[4] + ")"), n, Long::sum);
            }
        });
        return out;
    }

    synchronized long sum(String service, String via) {
        return byEndpoint(service, via).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until the condition holds on this viewer; fails with what it saw otherwise. */
    synchronized void await(String what, Duration timeout, Predicate<TrafficViewer> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.test(this)) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new AssertionError("Timed out waiting for " + what + "; totals " + totals + ", topology " + topology
                        + ", stats " + stats);
            }
            wait(Math.min(left, 200));
        }
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
}
