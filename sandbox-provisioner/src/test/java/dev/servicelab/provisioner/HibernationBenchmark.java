package dev.servicelab.provisioner;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Statistics;
import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Hibernation figures on this machine, printed (bench/hibernate.sh runs it; the normal suite does
 * not): resume from frozen and from a snapshot, snapshot size and time, and what a running, a frozen
 * and a snapshotted sandbox hold. Nothing here asserts a time: the figures are for reading.
 */
class HibernationBenchmark {

    private static final int RUNS = Integer.getInteger("bench.runs", 5);
    private static final int RESTORES = Integer.getInteger("bench.restores", 3);
    /** Learners working at once in the capacity figure (the classroom: 8). */
    private static final int ACTIVE = Integer.getInteger("bench.active", 8);

    private final DockerSandboxProvisioner provisioner = TestSandboxes.provisioner();
    private final List<String> report = new ArrayList<>();

    @Test
    void measure() throws Exception {
        Sandbox sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("bench-hib"), "bench", "clusterip", 1),
                (id, p) -> { });
        try {
            try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
                client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                        .withNewMetadata().withName("web").endMetadata()
                        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                        .withNewSpec().addNewContainer().withName("echo").withImage(TestSandboxes.images().echo())
                        .withImagePullPolicy("IfNotPresent").endContainer().endSpec().endTemplate().endSpec().build()).create();
                client.apps().deployments().inNamespace("default").withName("web").waitUntilReady(4, TimeUnit.MINUTES);
            }
            Thread.sleep(30_000); // let start-up work settle
            String server = sandbox.server().containerId();
            long runningMemory = memory(server);
            double runningCpu = cpuPercent(server);
            report.add(String.format("running idle sandbox: %s, %.1f %% of a core (docker stats, 10 s)",
                    mib(runningMemory), runningCpu));

            provisioner.freeze(sandbox.id());
            long frozenMemory = memory(server);
            report.add(String.format("frozen sandbox: %s held, %.1f %% of a core", mib(frozenMemory), cpuPercent(server)));
            provisioner.thaw(sandbox.id());

            List<Long> thaws = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                provisioner.freeze(sandbox.id());
                Thread.sleep(2000);
                Instant start = Instant.now();
                provisioner.thaw(sandbox.id());
                try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
                    while (true) {
                        try {
                            client.apps().deployments().inNamespace("default").withName("web").get();
                            break;
                        } catch (RuntimeException notYet) {
                            Thread.sleep(20);
                        }
                    }
                }
                thaws.add(Duration.between(start, Instant.now()).toMillis());
                Thread.sleep(3000);
            }
            report.add(String.format("resume from frozen (thaw to the API answering), %d runs: median %d ms, p95 %d ms %s",
                    RUNS, percentile(thaws, 50), percentile(thaws, 95), thaws));

            List<Long> snapshotTimes = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Instant start = Instant.now();
                SandboxSnapshot s = provisioner.snapshot(sandbox.id());
                snapshotTimes.add(Duration.between(start, Instant.now()).toMillis());
                sizes.add((long) s.size());
                Thread.sleep(2000);
            }
            report.add(String.format("snapshot of a running sandbox (server paused during the copy), %d runs: median %d ms, "
                    + "p95 %d ms; size median %s (%s bytes)", RUNS, percentile(snapshotTimes, 50),
                    percentile(snapshotTimes, 95), kib(percentile(sizes, 50)), sizes));

            List<Long> restores = new ArrayList<>();
            List<Long> workloads = new ArrayList<>();
            List<Long> frozenSnapshots = new ArrayList<>();
            for (int i = 0; i < RESTORES; i++) {
                Thread.sleep(20_000); // a learner away: start-up work of the last restore is over
                provisioner.freeze(sandbox.id());
                Instant snapStart = Instant.now();
                SandboxSnapshot saved = provisioner.snapshot(sandbox.id());
                frozenSnapshots.add(Duration.between(snapStart, Instant.now()).toMillis());
                String old = sandbox.id();
                provisioner.delete(old);
                if (i == 0) {
                    boolean gone = provisioner.list().stream().noneMatch(st -> st.sandboxId().equals(old));
                    report.add(String.format("snapshotted sandbox: containers left %s, memory 0, storage %s (the snapshot)",
                            gone ? "none" : "SOME", kib(saved.size())));
                }
                Instant start = Instant.now();
                sandbox = provisioner.create(new SandboxRequest(TestSandboxes.newId("bench-hib"), "bench", "clusterip", 1,
                        saved), (id, p) -> { });
                restores.add(Duration.between(start, Instant.now()).toMillis());
                Instant since = start.truncatedTo(ChronoUnit.SECONDS);
                try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
                    while (!client.pods().inNamespace("default").withLabel("app", "web").list().getItems().stream()
                            .allMatch(p -> SandboxBootstrap.readySince(p, since))) {
                        Thread.sleep(200);
                    }
                }
                workloads.add(Duration.between(start, Instant.now()).toMillis());
            }
            report.add(String.format("snapshot of a frozen sandbox (hibernation), %d runs: median %d ms, p95 %d ms %s",
                    RESTORES, percentile(frozenSnapshots, 50), percentile(frozenSnapshots, 95), frozenSnapshots));
            report.add(String.format("resume from snapshot (create to ready: node, DNS, platform pods), %d runs: median %.1f s, "
                    + "p95 %.1f s %s", RESTORES, percentile(restores, 50) / 1000.0, percentile(restores, 95) / 1000.0, restores));
            report.add(String.format("  ... and the learner's pods Ready again: median %.1f s, p95 %.1f s %s",
                    percentile(workloads, 50) / 1000.0, percentile(workloads, 95) / 1000.0, workloads));
            report.add(capacity(runningMemory, runningCpu, frozenMemory, percentile(sizes, 50)));
        } finally {
            provisioner.delete(sandbox.id());
        }
        String text = String.join("\n", report);
        System.out.println("\n==== ServiceLab hibernation benchmark ====\n" + text + "\n");
        Path out = Path.of(System.getProperty("bench.out", "target/hibernate-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
    }

    /**
     * How many enrolled learners this host serves with {@link #ACTIVE} of them working, from the figures
     * measured above: the active ones hold a running sandbox each, the platform its reserve, the memory
     * left holds frozen sandboxes (learners away for minutes), and everyone away for longer holds only
     * a snapshot in the platform's storage. The storage budget is an operator's choice
     * ({@code bench.storage-gib}, default 10 GiB of PostgreSQL or volume).
     */
    private static String capacity(long runningMemory, double runningCpu, long frozenMemory, long snapshotBytes)
            throws Exception {
        long hostMemory = hostMemoryBytes();
        int cores = Runtime.getRuntime().availableProcessors();
        long platformReserve = 2L << 30; // the platform's JVM, PostgreSQL and the host itself
        long storage = Long.getLong("bench.storage-gib", 10) << 30;
        long left = hostMemory - platformReserve - ACTIVE * runningMemory;
        long frozen = Math.max(0, left / Math.max(1, frozenMemory));
        long hibernated = storage / Math.max(1, snapshotBytes);
        return String.format("capacity of this host (%.1f GiB, %d cores) with %d learners active: they hold %s and %.0f %% "
                + "of a core idle; after a %s reserve, %s is left for %d frozen sandboxes (%s each); everyone away longer "
                + "holds a %s snapshot, %d of them in %d GiB of storage: %d enrolled learners served (%d + %d + %d)",
                hostMemory / (double) (1L << 30), cores, ACTIVE, mib(ACTIVE * runningMemory), ACTIVE * runningCpu,
                mib(platformReserve), mib(Math.max(0, left)), frozen, mib(frozenMemory), kib(snapshotBytes), hibernated,
                storage >> 30, ACTIVE + frozen + hibernated, ACTIVE, frozen, hibernated);
    }

    private static long hostMemoryBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no MemTotal in /proc/meminfo");
    }

    private static Statistics stats(String containerId) throws Exception {
        CompletableFuture<Statistics> stats = new CompletableFuture<>();
        DockerClientFactory.instance().client().statsCmd(containerId).withNoStream(true).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Statistics s) {
                stats.complete(s);
            }
        });
        return stats.get(30, TimeUnit.SECONDS);
    }

    /** Resident memory as docker stats reports it (usage minus page cache). */
    private static long memory(String containerId) throws Exception {
        var m = stats(containerId).getMemoryStats();
        long cache = m.getStats() == null || m.getStats().getCache() == null ? 0 : m.getStats().getCache();
        return m.getUsage() - cache;
    }

    /** CPU used over 10 s, in percent of one core. */
    private static double cpuPercent(String containerId) throws Exception {
        long before = stats(containerId).getCpuStats().getCpuUsage().getTotalUsage();
        Instant start = Instant.now();
        Thread.sleep(10_000);
        long after = stats(containerId).getCpuStats().getCpuUsage().getTotalUsage();
        return (after - before) * 100.0 / Duration.between(start, Instant.now()).toNanos();
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1024.0 / 1024.0);
    }

    private static String kib(long bytes) {
        return String.format("%.0f KiB", bytes / 1024.0);
    }
}
