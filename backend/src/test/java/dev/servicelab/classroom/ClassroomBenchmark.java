package dev.servicelab.classroom;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.security.Account;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.terminal.TerminalClient;
import dev.servicelab.traffic.EchoWorkload;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A class at work against one platform with the default limits (bench/classroom.sh): N learners
 * (default 20) open a lab at once, each with a terminal, a check every 30 s, a command every 10 s
 * and a traffic run a minute, for a few minutes, then end their cluster. Learners beyond the limit
 * wait in the queue (their "page" polls as the lab page does) and start as others end: printed are
 * each one's first position, the estimate they were shown and how long they actually waited. Also
 * each learner's time to a ready cluster (or the answer they got instead), check latency, and the
 * platform's heap and CPU. The platform runs in this JVM, so heap and CPU include the learners'
 * clients (small next to the server's). Nothing is asserted on time; a learner who gets anything but a
 * cluster (at once or after queueing) or the capacity problem is an error.
 */
class ClassroomBenchmark {

    private static final String LAB = "clusterip";
    private static final int LEARNERS = Integer.getInteger("bench.learners", 20);
    private static final Duration WORK = Duration.ofSeconds(Long.getLong("bench.work-seconds", 180));
    /** The platform's sandbox limit; empty for its default (8). A small class shows the queue with a small limit. */
    private static final String MAX_TOTAL = System.getProperty("bench.max-total", "");

    /** {@code position} is 0, the estimate and the wait -1, for a learner who was never queued. */
    record Outcome(String learner, String result, long readyMillis, int position, long estimateSeconds, long queuedMillis) {
    }

    @Test
    void measure() throws Exception {
        List<String> report = new ArrayList<>();
        List<Long> checkMillis = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        List<Double> heapMiB = new CopyOnWriteArrayList<>();
        List<Double> cpu = new CopyOnWriteArrayList<>();
        try (OwnPlatform platform = MAX_TOTAL.isBlank() ? OwnPlatform.start()
                : OwnPlatform.start("servicelab.sandbox.max-total=" + MAX_TOTAL)) {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var memory = ManagementFactory.getMemoryMXBean();
            var sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                heapMiB.add(memory.getHeapMemoryUsage().getUsed() / 1048576.0);
                cpu.add(os.getProcessCpuLoad() * 100);
            }, 1, 5, TimeUnit.SECONDS);

            ExecutorService learners = Executors.newFixedThreadPool(LEARNERS);
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < LEARNERS; i++) {
                Account learner = platform.learner();
                running.add(learners.submit(() -> {
                    try {
                        learn(platform, learner, start, outcomes, checkMillis);
                    } catch (Exception e) {
                        errors.add(learner.username() + ": " + e);
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(30, TimeUnit.MINUTES);
            }
            learners.shutdownNow();
            sampler.shutdownNow();
        }

        List<Long> ready = outcomes.values().stream().filter(o -> o.readyMillis() >= 0).map(Outcome::readyMillis).sorted().toList();
        long refused = outcomes.values().stream().filter(o -> o.result().startsWith("capacity")).count();
        report.add(String.format("classroom: %d learners opened %s at once against one platform with the default limits "
                + "(max %s sandboxes, warm pool 1, 2 starts at a time), then worked %d s and ended their cluster", LEARNERS, LAB,
                MAX_TOTAL.isBlank() ? "8" : MAX_TOTAL, WORK.toSeconds()));
        report.add(String.format("  got a cluster: %d; told the server is full (capacity problem, expected 0 now that "
                + "there is a queue): %d; errors: %d",
                ready.size(), refused, errors.size()));
        report.add("  time to a ready cluster, in order of arrival (s): " + ready.stream()
                .map(ms -> String.format("%.1f", ms / 1000.0)).toList());
        report.add(String.format("  time to ready: median %.1f s, p95 %.1f s, max %.1f s", pct(ready, 50) / 1000.0,
                pct(ready, 95) / 1000.0, pct(ready, 100) / 1000.0));
        List<Long> checks = new ArrayList<>(checkMillis);
        Collections.sort(checks);
        report.add(String.format("  checks: %d, latency median %d ms, p95 %d ms, max %d ms", checks.size(), pct(checks, 50),
                pct(checks, 95), pct(checks, 100)));
        report.add(String.format("  platform JVM heap used: median %.0f MiB, max %.0f MiB; process CPU: median %.0f %%, max %.0f %% "
                + "of the host", median(heapMiB), max(heapMiB), median(cpu), max(cpu)));
        List<Outcome> queued = outcomes.values().stream().filter(o -> o.position() > 0)
                .sorted(java.util.Comparator.comparingInt(Outcome::position)).toList();
        report.add(String.format("  queued (the server was full): %d learners; first position, estimate shown, actual wait:", queued.size()));
        queued.forEach(o -> report.add(String.format("    #%d: estimate %d s, waited %.1f s", o.position(), o.estimateSeconds(),
                o.queuedMillis() / 1000.0)));
        outcomes.values().stream().filter(o -> o.readyMillis() < 0).limit(3)
                .forEach(o -> report.add("  e.g. " + o.learner() + ": " + o.result()));
        errors.forEach(e -> report.add("  ERROR " + e));
        String text = String.join("\n", report);
        System.out.println(text);
        Path out = Path.of(System.getProperty("bench.out", "target/classroom-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
        if (!errors.isEmpty()) {
            throw new AssertionError("learners met errors: " + errors);
        }
    }

    private static void learn(OwnPlatform platform, Account learner, long start, Map<String, Outcome> outcomes,
            List<Long> checkMillis) throws Exception {
        ApiClient api = platform.api(learner);
        api.post("/api/v1/labs/" + LAB + "/enrolment", "");
        ApiClient.Response acquired = api.post("/api/v1/labs/" + LAB + "/sandbox", "");
        if (acquired.status() == 503 && acquired.body().contains("sandbox-capacity")) {
            outcomes.put(learner.username(), new Outcome(learner.username(), "capacity: " + acquired.json().path("detail")
                    .asString(), -1, 0, -1, -1));
            return;
        }
        if (acquired.status() != 202) {
            throw new IllegalStateException("sandbox request answered " + acquired.status() + ": " + acquired.body());
        }
        String state = "";
        int position = 0;
        long estimate = -1;
        long queuedSince = System.nanoTime();
        long queuedMillis = -1;
        while (!"READY".equals(state)) {
            var view = api.get("/api/v1/labs/" + LAB + "/sandbox").json();
            state = view.path("state").asString();
            if ("QUEUED".equals(state) && position == 0) {
                position = view.path("queuePosition").asInt();
                estimate = view.path("queueWaitSeconds").asLong();
            } else if (!"QUEUED".equals(state) && position > 0 && queuedMillis < 0) {
                queuedMillis = (System.nanoTime() - queuedSince) / 1_000_000;
            }
            if ("FAILED".equals(state) || "DEAD".equals(state) || "DELETED".equals(state)) {
                throw new IllegalStateException("sandbox " + state + ": " + view.path("message").asString());
            }
            TimeUnit.SECONDS.sleep(1); // pacing a learner's page, not waiting for a result
        }
        long readyMillis = (System.nanoTime() - start) / 1_000_000;
        outcomes.put(learner.username(), new Outcome(learner.username(), "ready", readyMillis, position, estimate,
                queuedMillis));
        String step = api.get("/api/v1/labs/" + LAB + "/progress").json().path("steps").get(0).path("stepId").asString();
        EchoWorkload.deploy(platform.bean(SandboxService.class).ready(learner, LAB).client(), "bench", 1);
        TerminalClient terminal = TerminalClient.open(platform.port(), learner.username(), OwnPlatform.PASSWORD, LAB, 1, -1);
        long until = System.nanoTime() + WORK.toNanos();
        for (int tick = 0; System.nanoTime() < until; tick++) {
            terminal.type("kubectl get pods -n bench\r");
            if (tick % 3 == 0) {
                long t = System.nanoTime();
                api.post("/api/v1/labs/" + LAB + "/steps/" + step + "/checks", "");
                checkMillis.add((System.nanoTime() - t) / 1_000_000);
            }
            if (tick % 6 == 0) {
                api.post("/api/v1/labs/" + LAB + "/traffic/requests", "{\"service\":\"web\",\"namespace\":\"bench\",\"count\":20}");
            }
            TimeUnit.SECONDS.sleep(10); // a learner's pace
        }
        terminal.close();
        // Done for the day: the slot goes to the head of the queue.
        api.delete("/api/v1/labs/" + LAB + "/sandbox");
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
