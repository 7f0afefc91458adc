package dev.servicelab.learning;

import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.LabStep;

import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.sandbox.PodExec;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.progress.StepStatus;
import dev.servicelab.provisioner.Manifests;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.sandbox.SandboxHandles;
import dev.servicelab.provisioner.SandboxPreparer;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.sandbox.TunnelService;
import dev.servicelab.traffic.TrafficRequest;
import dev.servicelab.traffic.TrafficService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Puts a lab's state into a learner's sandbox: its namespaces, each step's setup up to where the
 * learner is, and the solutions of the steps already passed, so that a fresh sandbox (after the old
 * one died or expired) continues where the learner left off.
 */
@Component
public class LabSetup implements SandboxPreparer {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final LabCatalogService catalog;
    private final ProgressService progress;
    private final AccountRepository accounts;
    private final TunnelService tunnels;
    private final SandboxHandles handles;
    private final TrafficService traffic;
    /** Learners' starts over to a step ({@code owner/lab} to the step's index), until their cluster is prepared. */
    private final java.util.Map<String, Integer> resets = new java.util.concurrent.ConcurrentHashMap<>();

    LabSetup(LabCatalogService catalog, ProgressService progress, AccountRepository accounts, TunnelService tunnels,
            SandboxHandles handles, TrafficService traffic) {
        this.catalog = catalog;
        this.traffic = traffic;
        this.progress = progress;
        this.accounts = accounts;
        this.tunnels = tunnels;
        this.handles = handles;
    }

    @Override
    public void prepare(SandboxRecord record, Sandbox sandbox) {
        Account account = accounts.findByUsername(record.owner()).orElseThrow();
        Lab lab = catalog.lab(record.labId(), account.id());
        LabProgress state = progress.progress(account, lab.id());
        KubernetesClient client = handles.handle(sandbox).client();
        for (String namespace : lab.sandbox().namespaces()) {
            SandboxBootstrap.learnerNamespace(client, namespace); // with its quota, so pods may go there at once
        }
        Integer resetTo = resets.remove(record.owner() + "/" + lab.id());
        for (int i = 0; i < lab.steps().size(); i++) {
            LabStep step = lab.steps().get(i);
            applyFiles(client, lab, step.setup());
            if (resetTo != null ? i >= resetTo : state.steps().get(i).status() != StepStatus.PASSED) {
                break;
            }
            // Traffic the solution sent leaves nothing in the cluster to restore: it is not sent again.
            applySolution(sandbox, client, lab, step.solution().manifests(), step.solution().commands(),
                    step.solution().actions().stream().filter(a -> !LabStep.SendTraffic.is(a)).toList());
        }
    }

    /**
     * The learner's next fresh cluster for the lab is prepared up to the start of step {@code index}
     * (its setup, and the setups and reference solutions of the steps before it) instead of up to
     * their progress. Held by this server: the start it launches for the learner reads it.
     */
    void prepareUpTo(String owner, String labId, int index) {
        resets.put(owner + "/" + labId, index);
    }

    /** Applies a step's setup (when the learner reaches it). */
    public void setUpStep(Sandbox sandbox, Lab lab, LabStep step) {
        applyFiles(handles.handle(sandbox).client(), lab, step.setup());
    }

    /**
     * Presses what the learner would press, applies manifests and runs commands in their terminal pod;
     * then sends what the traffic panel's "Send" would ({@code send-traffic}), which needs what they made.
     */
    public void applySolution(Sandbox sandbox, KubernetesClient client, Lab lab, java.util.List<String> manifests,
            java.util.List<String> commands, java.util.List<String> actions) {
        for (String action : actions) {
            if (LabStep.SendTraffic.is(action)) {
                continue;
            }
            switch (action) {
                case "start-tunnel" -> tunnels.start(handles.handle(sandbox));
                case "stop-tunnel" -> tunnels.stop(handles.handle(sandbox));
                default -> throw new IllegalArgumentException("unknown action " + action);
            }
        }
        applyFiles(client, lab, manifests);
        for (String command : commands) {
            PodExec.Result result = PodExec.run(client, SandboxBootstrap.NAMESPACE, SandboxBootstrap.TERMINAL_POD,
                    COMMAND_TIMEOUT, "bash", "-lc", command);
            if (!result.ok()) {
                throw new IllegalStateException("`" + command + "` failed (exit " + result.exitCode() + "): "
                        + (result.stderr() + result.stdout()).strip());
            }
        }
        for (String action : actions) {
            if (LabStep.SendTraffic.is(action)) {
                LabStep.SendTraffic send = LabStep.SendTraffic.parse(action);
                traffic.send(handles.handle(sandbox), new TrafficRequest(send.service(), send.namespace(), send.via(),
                        send.count(), null, null, send.node()));
            }
        }
    }

    /** Deletes what manifests created (between a wrong solution and the right one, in conformance runs). */
    public void deleteFiles(KubernetesClient client, Lab lab, java.util.List<String> files) {
        for (String file : files) {
            Manifests.delete(client, read(lab, file), "default");
        }
    }

    public void applyFiles(KubernetesClient client, Lab lab, java.util.List<String> files) {
        for (String file : files) {
            Manifests.apply(client, read(lab, file), "default");
        }
    }

    private static String read(Lab lab, String file) {
        try {
            return Files.readString(lab.folder().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + lab.id() + "/" + file, e);
        }
    }
}
