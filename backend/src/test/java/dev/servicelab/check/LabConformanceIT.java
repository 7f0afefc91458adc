package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every shipped lab, run on a real sandbox of its own: after a step's setup its checks fail with a
 * real message; every wrong solution is refused with the intended text; the reference solution
 * passes. A lab without a passing solution cannot ship. A lab with a fault pool is run with all its
 * faults at once (their setups before the first step, as a learner's draw gets them), so every fault
 * of the pool is proven, and proven independent of the others.
 */
class LabConformanceIT extends SandboxPlatformTestBase {

    /** A step that should fail need not wait for things that never converge. */
    private static final Duration EXPECTED_FAILURE_WAIT = Duration.ofSeconds(4);

    @Autowired
    LabCatalogService catalog;
    @Autowired
    CheckEngine engine;
    @Autowired
    LabSetup setup;
    @Autowired
    SandboxProvisioner provisioner;
    @Autowired
    dev.servicelab.sandbox.TunnelService tunnels;
    @Autowired
    dev.servicelab.sandbox.SandboxHandles handles;

    @TestFactory
    Stream<DynamicNode> everyLab() {
        String only = System.getProperty("servicelab.conformance.labs", "");
        return catalog.labs().stream()
                .filter(lab -> only.isBlank() || List.of(only.split(",")).contains(lab.id()))
                // A lab with a fault pool runs with every fault of it, not one learner's draw.
                .map(lab -> DynamicContainer.dynamicContainer(lab.id(), Stream.of(DynamicTest.dynamicTest(
                        "setup fails, wrong solutions are refused, the solution passes", () -> conform(lab.withAllFaults())))));
    }

    private void conform(Lab lab) {
        String id = "conf-" + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        Sandbox sandbox = provisioner.create(new SandboxRequest(id, "conformance", lab.id(), lab.sandbox().nodes(),
                null, Set.copyOf(lab.sandbox().addons())),
                (sandboxId, phase) -> { });
        List<String> problems = new ArrayList<>();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            CheckContext context = new CheckContext(sandbox, client);
            for (String namespace : lab.sandbox().namespaces()) {
                SandboxBootstrap.learnerNamespace(client, namespace);
            }
            for (LabStep step : lab.steps()) {
                String where = lab.id() + "/" + step.id();
                setup.applyFiles(client, lab, step.setup());

                StepReport before = engine.run(lab.id(), step, context, EXPECTED_FAILURE_WAIT);
                if (before.passed()) {
                    problems.add(where + ": the checks already pass before the solution, so the step teaches nothing");
                } else if (before.results().stream().filter(r -> !r.passed()).anyMatch(r -> r.message().isBlank())) {
                    problems.add(where + ": a failing check gave no message");
                }

                for (LabStep.WrongSolution wrong : step.wrong()) {
                    try {
                        setup.applySolution(sandbox, client, lab, wrong.manifests(), wrong.commands(), wrong.actions());
                        StepReport refused = engine.run(lab.id(), step, context, EXPECTED_FAILURE_WAIT);
                        String messages = failures(refused);
                        if (!refused.passed() && !messages.contains(wrong.expect())) {
                            // Checked at once, as a learner may: its pods may still be starting (a busy
                            // machine takes longer than the capped wait). The diagnosis must be there
                            // once the cluster has carried the answer out; passing is wrong either way.
                            ClusterSettling.awaitApplied(client);
                            refused = engine.run(lab.id(), step, context, EXPECTED_FAILURE_WAIT);
                            messages = failures(refused);
                        }
                        if (refused.passed()) {
                            problems.add(where + ": wrong solution '" + wrong.name() + "' passed the checks");
                        } else if (!messages.contains(wrong.expect())) {
                            problems.add(where + ": wrong solution '" + wrong.name() + "' was refused, but no message "
                                    + "contains '" + wrong.expect() + "': " + messages);
                        }
                    } catch (RuntimeException e) {
                        problems.add(where + ": wrong solution '" + wrong.name() + "' could not be applied: " + e.getMessage());
                    } finally {
                        setup.deleteFiles(client, lab, wrong.manifests());
                    }
                }

                try {
                    setup.applySolution(sandbox, client, lab, step.solution().manifests(), step.solution().commands(),
                            step.solution().actions());
                } catch (RuntimeException e) {
                    problems.add(where + ": the solution could not be applied: " + e.getMessage());
                    break;
                }
                StepReport after = engine.run(lab.id(), step, context);
                if (!after.passed()) {
                    problems.add(where + ": the solution does not pass: " + after.results().stream().filter(r -> !r.passed())
                            .map(r -> r.title() + ": " + r.message()).collect(Collectors.joining(" | ")));
                    break;
                }
                System.out.printf("conformance %s: after solution %d ms%n", where, after.millis());
            }
        } finally {
            tunnels.stop(handles.handle(sandbox));
            try {
                provisioner.delete(id);
            } catch (RuntimeException e) {
                // A busy Docker engine sometimes fails to kill a container in time: that must not hide the verdict.
                System.out.printf("conformance %s: deleting sandbox %s failed: %s%n", lab.id(), id, e.getMessage());
            }
        }
        System.out.printf("conformance %s: %d s%n", lab.id(), (System.nanoTime() - started) / 1_000_000_000L);
        assertThat(problems).as("conformance problems of lab " + lab.id()).isEmpty();
    }

    private static String failures(StepReport report) {
        return report.results().stream().filter(r -> !r.passed()).map(CheckResult::message).collect(Collectors.joining(" | "));
    }
}
