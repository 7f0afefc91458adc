package dev.servicelab.check;

import dev.servicelab.PlatformTestBase;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalogService;
import dev.servicelab.lab.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.sandbox.Kubeconfigs;
import dev.servicelab.sandbox.Sandbox;
import dev.servicelab.sandbox.SandboxProvisioner;
import dev.servicelab.sandbox.SandboxRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * How long one step's checks take on a ready sandbox whose state passes them (bench/checks.sh):
 * API-only steps and steps with in-cluster probes, over every such step of the clusterip lab.
 */
class CheckBenchmark extends PlatformTestBase {

    private static final int ROUNDS = 15;

    @Autowired
    LabCatalogService catalog;
    @Autowired
    CheckEngine engine;
    @Autowired
    LabSetup setup;
    @Autowired
    SandboxProvisioner provisioner;

    @Test
    void measure() throws Exception {
        Lab lab = catalog.lab(System.getProperty("bench.lab", "clusterip"));
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Sandbox sandbox = provisioner.create(new SandboxRequest(id, "bench", lab.id(), lab.sandbox().nodes()), (s, p) -> { });
        List<String> report = new ArrayList<>();
        List<Long> apiOnly = new ArrayList<>();
        List<Long> withProbes = new ArrayList<>();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            CheckContext context = new CheckContext(sandbox, client);
            for (LabStep step : lab.steps()) {
                setup.applyFiles(client, lab, step.setup());
                setup.applySolution(sandbox, client, lab, step.solution().manifests(), step.solution().commands(),
                        step.solution().actions());
                if (!engine.run(lab.id(), step, context).passed()) {
                    report.add("step " + step.id() + " did not pass after its solution; skipped");
                    continue;
                }
                boolean probes = step.checks().stream().anyMatch(c -> c.type().probe());
                List<Long> times = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    times.add(engine.run(lab.id(), step, context).millis());
                }
                Collections.sort(times);
                (probes ? withProbes : apiOnly).addAll(times);
                report.add(String.format("  %-28s %d checks (%s): median %d ms, max %d ms", step.id(), step.checks().size(),
                        probes ? "with probes" : "API only", times.get(times.size() / 2), times.get(times.size() - 1)));
            }
        } finally {
            provisioner.delete(id);
        }
        Collections.sort(apiOnly);
        Collections.sort(withProbes);
        report.add(0, String.format("one step's checks on a ready sandbox (lab %s, %d rounds per step): API-only median %s ms, "
                + "with probes median %s ms", lab.id(), ROUNDS, median(apiOnly), median(withProbes)));
        String text = String.join("\n", report);
        System.out.println("\n==== ServiceLab check benchmark ====\n" + text + "\n");
        Path out = Path.of(System.getProperty("bench.out", "target/check-benchmark.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
    }

    private static String median(List<Long> sorted) {
        return sorted.isEmpty() ? "n/a" : String.valueOf(sorted.get(sorted.size() / 2));
    }
}
