package dev.servicelab.check;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRequest;
import dev.servicelab.sandbox.TunnelService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Time to a verdict, per lab, for wrong and for right answers (bench/checks.sh), on a real sandbox
 * per lab, with the checks' full retry windows as a learner gets them. A wrong answer's verdict is
 * the first ✘ the page shows (results stream in as each check decides; the step cannot pass from
 * then on), a right answer's the step's end. Wrong: each of the lab's
 * wrong solutions right after it is applied (once the step's setup pods are up: "at once"), and again
 * once the cluster has carried the wrong answer out ("once applied": its pods started or stuck, its
 * rollout over, kube-proxy's batched sync past), which is the check's own time to a verdict; the
 * first figure adds the cluster's time to act on the change. Right: the reference solution right
 * after it is applied (pods may still be starting: a right answer waits for them, as it always
 * did), then again on the settled cluster.
 */
class CheckBenchmark extends SandboxPlatformTestBase {

    private static final int RIGHT_ROUNDS = 3;

    @Autowired
    LabCatalogService catalog;
    @Autowired
    CheckEngine engine;
    @Autowired
    LabSetup setup;
    @Autowired
    SandboxProvisioner provisioner;
    @Autowired
    TunnelService tunnels;
    @Autowired
    dev.servicelab.sandbox.SandboxHandles handles;

    @Test
    void measure() throws Exception {
        String only = System.getProperty("bench.lab", "all");
        List<String> report = new ArrayList<>();
        List<Long> allWrong = new ArrayList<>();
        List<Long> allApplied = new ArrayList<>();
        List<Long> allRight = new ArrayList<>();
        for (Lab lab : catalog.labs().stream().map(Lab::withAllFaults).toList()) {
            if (!"all".equals(only) && !List.of(only.split(",")).contains(lab.id())) {
                continue;
            }
            List<Long> wrong = new ArrayList<>();
            List<Long> applied = new ArrayList<>();
            List<Long> right = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            double loadBefore = load();
            measure(lab, wrong, applied, right, notes);
            allWrong.addAll(wrong);
            allApplied.addAll(applied);
            allRight.addAll(right);
            // Other work on the host slows probes and controllers alike: the figures mean little without it.
            report.add(String.format("  %-22s wrong at once: %s | once applied: %s | right: %s   load %.1f→%.1f", lab.id(),
                    figures(wrong), figures(applied), figures(right), loadBefore, load()));
            notes.forEach(n -> report.add("      " + n));
            write(report, "(so far)"); // a long run leaves its figures lab by lab
        }
        report.add(String.format("  %-22s wrong at once: %s | once applied: %s | right: %s", "ALL", figures(allWrong),
                figures(allApplied), figures(allRight)));
        String text = write(report, "");
        System.out.println("\n==== ServiceLab check benchmark ====\n" + text + "\n");
    }

    private static String write(List<String> lines, String note) throws java.io.IOException {
        String text = "time to a verdict (ms) on a ready sandbox, full retry windows " + note + "; wrong answers: until the "
                + "page shows the first ✘, each wrong solution applied to a cluster at rest, checked at once and again once the cluster has "
                + "applied it (pods started or stuck, rollouts over, kube-proxy synced); right answers: until \"Step passed\", "
                + "each step's solution " + RIGHT_ROUNDS + "x\n"
                + String.join("\n", lines);
        Path out = Path.of(System.getProperty("bench.out", "target/check-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
        return text;
    }

    private void measure(Lab lab, List<Long> wrong, List<Long> applied, List<Long> right, List<String> notes) {
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Sandbox sandbox = provisioner.create(new SandboxRequest(id, "bench", lab.id(), lab.sandbox().nodes(),
                null, Set.copyOf(lab.sandbox().addons())), (s, p) -> { });
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            CheckContext context = new CheckContext(sandbox, client);
            for (String namespace : lab.sandbox().namespaces()) {
                // As the platform makes them: with their quota and limits, before any pod may start there.
                dev.servicelab.provisioner.SandboxBootstrap.learnerNamespace(client, namespace);
            }
            for (LabStep step : lab.steps()) {
                setup.applyFiles(client, lab, step.setup());
                if (!step.setup().isEmpty()) {
                    ClusterSettling.awaitSetUp(client);
                }
                for (LabStep.WrongSolution bad : step.wrong()) {
                    // A learner answers a cluster at rest (they read the step, or the last verdict, first):
                    // "at once" then counts the wrong answer's own convergence, not the removal of the one
                    // before or the setup's fresh Services.
                    ClusterSettling.awaitApplied(client);
                    try {
                        setup.applySolution(sandbox, client, lab, bad.manifests(), bad.commands(), bad.actions());
                        for (List<Long> figures : List.of(wrong, applied)) {
                            if (figures == applied) {
                                ClusterSettling.awaitApplied(client);
                            }
                            Timeline timeline = new Timeline();
                            StepReport verdict = engine.run(lab.id(), step, context, timeline);
                            long shown = timeline.firstWrong().orElse(verdict.millis());
                            figures.add(shown);
                            if (verdict.passed() || shown > 2_000) {
                                notes.add(step.id() + " / " + bad.name() + (figures == wrong ? " (at once)" : " (once applied)")
                                        + ": " + shown + " ms" + (verdict.passed() ? ", PASSED" : "") + "; " + timeline);
                            }
                        }
                    } finally {
                        setup.deleteFiles(client, lab, bad.manifests());
                    }
                }
                setup.applySolution(sandbox, client, lab, step.solution().manifests(), step.solution().commands(),
                        step.solution().actions());
                for (int i = 0; i < RIGHT_ROUNDS; i++) {
                    StepReport verdict = engine.run(lab.id(), step, context);
                    right.add(verdict.millis());
                    if (!verdict.passed()) {
                        notes.add(step.id() + ": the solution did not pass; the lab's later steps are not measured");
                        return;
                    }
                }
            }
        } finally {
            tunnels.stop(handles.handle(sandbox));
            provisioner.delete(id);
        }
    }

    /**
     * When each check's result arrived, and the one that decided a slow verdict: where a wrong
     * answer's time goes.
     */
    private static final class Timeline implements CheckEngine.Listener {
        private final long start = System.nanoTime();
        private final List<String> events = new ArrayList<>();
        private String decisive = "";
        private Long firstWrong;

        /** When the page showed the first ✘: the learner's verdict (the step can no longer pass this run). */
        synchronized java.util.Optional<Long> firstWrong() {
            return java.util.Optional.ofNullable(firstWrong);
        }

        @Override
        public synchronized void result(int index, CheckResult result) {
            long at = (System.nanoTime() - start) / 1_000_000;
            events.add("#" + index + " " + result.state() + " @" + at);
            if (result.wrong() && firstWrong == null) {
                firstWrong = at;
            }
            if (result.wrong()) {
                String message = result.message().replaceAll(" Hint: .*", "");
                decisive = "decided by #" + index + " " + result.title() + ": "
                        + (message.length() > 220 ? message.substring(0, 220) + "…" : message);
            }
        }

        @Override
        public synchronized String toString() {
            return String.join(", ", events) + (decisive.isEmpty() ? "" : "; " + decisive);
        }
    }

    private static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String figures(List<Long> millis) {
        if (millis.isEmpty()) {
            return "n/a";
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        long median = sorted.get(sorted.size() / 2);
        long p95 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.95) - 1));
        return String.format("n=%3d median %6d p95 %6d max %6d", sorted.size(), median, p95, sorted.get(sorted.size() - 1));
    }
}
