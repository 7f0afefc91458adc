package dev.servicelab.terminal;

import static org.awaitility.Awaitility.await;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.sandbox.SandboxService;
import java.lang.management.ManagementFactory;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Terminal figures (bench/terminal.sh runs it): keystroke-to-echo latency through the whole path
 * (WebSocket, server, exec into the pod, tmux, back), and the server's memory while 20 terminals
 * print as fast as they can. Nothing is asserted on time.
 */
@TestPropertySource(properties = {"servicelab.terminal.max-tabs=24", "servicelab.limits.max-sockets-per-account=32"})
class TerminalBenchmark extends SandboxPlatformTestBase {

    private static final String LAB = "clusterip";

    @Autowired
    SandboxService sandboxes;
    @Autowired
    AccountRepository accountRepository;

    private TerminalClient open(String user, int tab) {
        return TerminalClient.open(port, user, LEARNER_PASSWORD, LAB, tab, -1);
    }

    @Test
    void measure() throws Exception {
        String user = newLearner();
        var account = accountRepository.findByUsername(user).orElseThrow();
        api(user, LEARNER_PASSWORD).post("/api/v1/labs/" + LAB + "/enrolment", null);
        sandboxes.acquire(account, LAB);
        await("the sandbox ready").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> "READY".equals(sandboxes.view(account, LAB).state()));
        List<String> report = new ArrayList<>();

        TerminalClient shell = open(user, 1);
        shell.type("clear; echo bench-ready\r");
        shell.await("bench-ready", Duration.ofSeconds(30));
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Double latency = keystroke(shell, (char) ('a' + i % 26));
            if (latency != null) {
                latencies.add(latency);
            }
        }
        Collections.sort(latencies);
        report.add(String.format("keystroke to echo (WebSocket -> server -> exec -> tmux -> back), %d keys: median %.1f ms, "
                + "p99 %.1f ms, max %.1f ms", latencies.size(), percentile(latencies, 50), percentile(latencies, 99),
                latencies.get(latencies.size() - 1)));

        System.gc();
        long heapBefore = heapUsed();
        long rssBefore = rss();
        List<TerminalClient> floods = new ArrayList<>();
        for (int tab = 2; tab <= 21; tab++) {
            TerminalClient flood = open(user, tab);
            // The quotes keep the echoed command line from matching: only the shell's output does.
            flood.type("echo flood\"\"ready\r");
            flood.await("floodready", Duration.ofSeconds(20));
            flood.type("yes servicelab-flood-output-line\r");
            floods.add(flood);
        }
        long maxHeap = 0;
        long maxRss = 0;
        long bytesAtStart = floods.stream().mapToLong(c -> c.bytes.get()).sum();
        Instant measureStart = Instant.now();
        long maxLive = 0;
        List<Double> underFlood = new ArrayList<>();
        for (int s = 1; s <= 30; s++) {
            // Meanwhile the quiet shell keeps typing: a flood elsewhere must not freeze it.
            Instant second = Instant.now().plusSeconds(1);
            while (Instant.now().isBefore(second)) {
                Double latency = keystroke(shell, (char) ('a' + underFlood.size() % 26));
                if (latency != null) {
                    underFlood.add(latency);
                }
                Thread.sleep(100);
            }
            floods.forEach(c -> c.output.clear());
            maxHeap = Math.max(maxHeap, heapUsed());
            maxRss = Math.max(maxRss, rss());
            if (s % 10 == 0) {
                // Used heap includes garbage not yet collected; what the floods keep is what survives a GC.
                System.gc();
                maxLive = Math.max(maxLive, heapUsed());
            }
        }
        double seconds = Duration.between(measureStart, Instant.now()).toMillis() / 1000.0;
        long streamed = floods.stream().mapToLong(c -> c.bytes.get()).sum() - bytesAtStart;
        long streaming = floods.stream().filter(c -> c.ended == null && c.bytes.get() > 0).count();
        floods.stream().filter(c -> c.ended != null).forEach(c -> System.out.println("a flood terminal ended: " + c.ended));
        floods.forEach(c -> c.type("\u0003exit\r"));
        shell.type("exit\r");
        report.add(String.format("%d of 20 terminals streaming `yes` for %.0f s: %.1f MB/s delivered in total; live heap (after GC) "
                + "%d -> max %d MiB (a ring of 1 MiB per shell bounds it); used heap with garbage max %d MiB; process RSS %d -> max %d MiB",
                streaming, seconds, streamed / seconds / 1e6, heapBefore >> 20, maxLive >> 20, maxHeap >> 20,
                rssBefore >> 20, maxRss >> 20));
        Collections.sort(underFlood);
        report.add(String.format("meanwhile, keystroke to echo in a quiet shell of the same sandbox, %d keys: median %.1f ms, "
                + "p99 %.1f ms, max %.1f ms", underFlood.size(), percentile(underFlood, 50), percentile(underFlood, 99),
                underFlood.get(underFlood.size() - 1)));
        String text = String.join("\n", report);
        System.out.println("\n==== ServiceLab terminal benchmark ====\n" + text + "\n");
        Path out = Path.of(System.getProperty("bench.out", "target/terminal-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
    }

    /** Types one key, waits for its echo and erases it again; the milliseconds to the echo, or null. */
    private static Double keystroke(TerminalClient shell, char key) throws InterruptedException {
        shell.output.clear();
        long start = System.nanoTime();
        shell.type(String.valueOf(key));
        Double latency = shell.await(String.valueOf(key), Duration.ofSeconds(5))
                ? (System.nanoTime() - start) / 1_000_000.0 : null;
        shell.type("\u007f");
        shell.await("\b", Duration.ofSeconds(2));
        return latency;
    }

    private static double percentile(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rss() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0L);
    }
}
