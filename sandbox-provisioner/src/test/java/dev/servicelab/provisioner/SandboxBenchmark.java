package dev.servicelab.provisioner;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Statistics;
import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Sandbox figures on this machine, printed (bench/sandbox.sh runs it; the normal suite does not):
 * cold start to ready, warm-pool hand-out, idle memory, and how many idle sandboxes fit before the
 * configured limit refuses more. Nothing here asserts a time: the figures are for reading.
 */
class SandboxBenchmark {

    private static final int COLD_STARTS = Integer.getInteger("bench.coldStarts", 3);
    private static final int CAPACITY_LIMIT = Integer.getInteger("bench.maxTotal", 8);

    private final DockerSandboxProvisioner provisioner = TestSandboxes.provisioner();
    private final List<String> report = new ArrayList<>();

    @Test
    void measure() throws Exception {
        coldStarts();
        warmPoolHandOut();
        capacity();
        String text = String.join("\n", report);
        System.out.println("\n==== ServiceLab sandbox benchmark ====\n" + text + "\n");
        Path out = Path.of(System.getProperty("bench.out", "target/sandbox-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
    }

    private void coldStarts() throws Exception {
        List<Long> totals = new ArrayList<>();
        Map<SandboxPhase, List<Long>> phaseTimes = new EnumMap<>(SandboxPhase.class);
        String idleMemory = "?";
        for (int i = 0; i < COLD_STARTS; i++) {
            String id = TestSandboxes.newId("bench-cold");
            Instant start = Instant.now();
            Map<SandboxPhase, Long> reached = new EnumMap<>(SandboxPhase.class);
            Sandbox sandbox = provisioner.create(new SandboxRequest(id, null, null, 1),
                    (sid, phase) -> reached.putIfAbsent(phase, Duration.between(start, Instant.now()).toMillis()));
            long total = Duration.between(start, Instant.now()).toMillis();
            totals.add(total);
            reached.forEach((phase, ms) -> phaseTimes.computeIfAbsent(phase, p -> new ArrayList<>()).add(ms));
            if (i == COLD_STARTS - 1) {
                Thread.sleep(60_000); // let start-up work settle before measuring an idle sandbox
                idleMemory = mib(memory(sandbox.server().containerId()));
            }
            provisioner.delete(id);
        }
        report.add(String.format("cold start to ready (node Ready, DNS Ready, platform pods Ready), %d runs: median %.1f s (runs: %s)",
                COLD_STARTS, median(totals) / 1000.0, totals.stream().map(t -> String.format("%.1f", t / 1000.0)).toList()));
        phaseTimes.forEach((phase, times) -> report.add(String.format("  %-20s reached after median %.1f s", phase, median(times) / 1000.0)));
        report.add("idle sandbox memory (docker stats, one node, after 60 s idle): " + idleMemory);
    }

    private void warmPoolHandOut() throws Exception {
        InMemoryLedger ledger = new InMemoryLedger();
        List<Long> handOuts = new ArrayList<>();
        try (SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(1, 1, 4, 1,
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofSeconds(5)), Clock.systemUTC())) {
            manager.start();
            for (int i = 0; i < 3; i++) {
                awaitPool(ledger);
                Instant start = Instant.now();
                SandboxRecord mine = manager.acquire("bench-" + i, "clusterip", 1);
                while (ledger.find(mine.sandboxId()).orElseThrow().state() != SandboxState.READY) {
                    Thread.sleep(20);
                }
                handOuts.add(Duration.between(start, Instant.now()).toMillis());
                manager.release(mine.sandboxId());
            }
            ledger.active().forEach(r -> provisioner.delete(r.sandboxId()));
        }
        report.add(String.format("warm-pool hand-out (acquire to READY, no lab setup): median %d ms (runs: %s ms)",
                (long) median(handOuts), handOuts));
    }

    private void capacity() throws Exception {
        InMemoryLedger ledger = new InMemoryLedger();
        long hostTotal = hostMemoryTotal();
        long before = hostMemoryAvailable();
        int started = 0;
        String refusal = "none";
        try (SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(0, 1, CAPACITY_LIMIT, 2,
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofSeconds(5)), Clock.systemUTC())) {
            manager.start();
            while (true) {
                try {
                    SandboxRecord acquired = manager.acquire("learner-" + started, "clusterip", 1);
                    if (acquired.state() == SandboxState.QUEUED) {
                        refusal = "queued at position " + manager.queuePosition(acquired.sandboxId())
                                .map(QueuePosition::position).orElse(0);
                        break;
                    }
                    started++;
                } catch (SandboxException e) {
                    refusal = e.getMessage();
                    break;
                }
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
            while (ledger.active().stream().anyMatch(r -> r.state() == SandboxState.STARTING) && Instant.now().isBefore(deadline)) {
                Thread.sleep(1000);
            }
            Thread.sleep(30_000);
            long ready = ledger.active().stream().filter(r -> r.state() == SandboxState.READY).count();
            long used = before - hostMemoryAvailable();
            List<Long> perSandbox = new ArrayList<>();
            for (SandboxRecord r : ledger.active()) {
                manager.connection(r.sandboxId()).ifPresent(s -> perSandbox.add(memory(s.server().containerId())));
            }
            report.add(String.format("capacity: at the limit (maxTotal=%d) learner %d was not started (%s); %d were ready and idle",
                    CAPACITY_LIMIT, started + 1, refusal, ready));
            report.add(String.format("  with them running: host memory used by sandboxes %s, per sandbox median %s (docker stats)",
                    mib(used), mib((long) median(perSandbox))));
            long perSandboxBytes = Math.max(1, (long) median(perSandbox));
            report.add(String.format("  this host (%s RAM) would hold about %d idle sandboxes by memory (keeping 2 GiB for the platform)",
                    mib(hostTotal), (hostTotal - 2L * 1024 * 1024 * 1024) / perSandboxBytes));
            ledger.active().forEach(r -> provisioner.delete(r.sandboxId()));
        }
    }

    private void awaitPool(InMemoryLedger ledger) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (ledger.active().stream().noneMatch(r -> r.pooled() && r.state() == SandboxState.READY)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the warm pool did not fill");
            }
            Thread.sleep(200);
        }
    }

    /** Resident memory of a container as docker stats reports it (usage minus page cache). */
    private static long memory(String containerId) {
        CompletableFuture<Statistics> stats = new CompletableFuture<>();
        DockerClientFactory.instance().client().statsCmd(containerId).withNoStream(true).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Statistics s) {
                stats.complete(s);
            }
        });
        try {
            Statistics s = stats.get(30, TimeUnit.SECONDS);
            long usage = s.getMemoryStats().getUsage();
            Map<String, Long> detail = s.getMemoryStats().getStats() == null ? Map.of()
                    : Map.of("cache", s.getMemoryStats().getStats().getCache() == null ? 0L : s.getMemoryStats().getStats().getCache());
            return usage - detail.getOrDefault("cache", 0L);
        } catch (Exception e) {
            return -1;
        }
    }

    private static long hostMemoryAvailable() throws IOException {
        return meminfo("MemAvailable:");
    }

    private static long hostMemoryTotal() throws IOException {
        return meminfo("MemTotal:");
    }

    private static long meminfo(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0L);
    }

    private static double median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1024.0 / 1024.0);
    }
}
