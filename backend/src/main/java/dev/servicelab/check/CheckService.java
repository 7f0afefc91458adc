package dev.servicelab.check;

import dev.servicelab.security.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.security.InFlight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Checks a learner's step against their own sandbox, stores the attempt, and on success records the
 * step as passed and sets up the next one. The browser only asks; the verdict is the server's.
 */
@Service
public class CheckService {

    private static final Logger log = LoggerFactory.getLogger(CheckService.class);

    private final CheckEngine engine;
    private final LabCatalogService catalog;
    private final SandboxService sandboxes;
    private final ProgressService progress;
    private final CheckAttemptRepository attempts;
    private final LabSetup setup;
    private final ApplicationEventPublisher events;
    private final InFlight running;

    public CheckService(CheckEngine engine, LabCatalogService catalog, SandboxService sandboxes, ProgressService progress,
            CheckAttemptRepository attempts, LabSetup setup, ApplicationEventPublisher events, CheckProperties properties) {
        this.running = new InFlight(properties.maxConcurrentPerLab());
        this.engine = engine;
        this.catalog = catalog;
        this.sandboxes = sandboxes;
        this.progress = progress;
        this.attempts = attempts;
        this.setup = setup;
        this.events = events;
    }

    /** Checks a step and answers when every check has its verdict. */
    public StepReport check(Account account, String labId, String stepId) {
        try (Run run = start(account, labId, stepId)) {
            return run.execute(CheckEngine.Listener.NONE);
        }
    }

    /**
     * Everything a check needs, found before any check runs, so that what would refuse it (no such
     * step, lab not started, no ready cluster, a check of this lab already running) is answered as
     * a problem detail at once. Close it to let the account's next check in.
     */
    public Run start(Account account, String labId, String stepId) {
        Lab lab = catalog.lab(labId, account.id());
        LabStep step = catalog.step(labId, account.id(), stepId);
        LabProgress before = progress.progress(account, labId);
        if (before.startedAt() == null) {
            throw new ConflictException("lab-not-started", "Lab not started",
                    "Start the lab first (POST /api/v1/labs/" + labId + "/enrolment), then check your work.");
        }
        InFlight.Permit permit = running.acquire(account.id() + "/" + labId, () -> "A check of your work in lab " + labId
                + " is still running. Wait for its verdict, then check again.");
        try {
            SandboxHandle sandbox = sandboxes.ready(account, labId);
            sandbox.active();
            return new Run(account, lab, step, sandbox, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    /** One check of a step, ready to run; see {@link #start}. */
    public final class Run implements AutoCloseable {
        private final Account account;
        private final Lab lab;
        private final LabStep step;
        private final Sandbox sandbox;
        private final SandboxHandle handle;
        private final InFlight.Permit permit;

        private Run(Account account, Lab lab, LabStep step, SandboxHandle handle, InFlight.Permit permit) {
            this.account = account;
            this.lab = lab;
            this.step = step;
            this.handle = handle;
            this.sandbox = handle.sandbox();
            this.permit = permit;
        }

        public LabStep step() {
            return step;
        }

        /**
         * Runs the step's checks, telling the listener each result as it arrives; stores the attempt
         * and, on a pass, records progress and sets up the next step. A run interrupted because the
         * learner went away is not stored.
         */
        public StepReport execute(CheckEngine.Listener listener) {
            String labId = lab.id();
            String stepId = step.id();
            StepReport report = engine.run(labId, step, new CheckContext(sandbox, handle.client()), listener);
            handle.active(); // a check that waited long for things to converge was work all along
            if (Thread.currentThread().isInterrupted()) {
                return report;
            }
            attempts.record(account.id(), sandbox.id(), report);
            events.publishEvent(new CheckAttemptedEvent(account.id(), account.username(), labId, stepId, report.passed(),
                    report.firstFailure(), report.checkedAt()));
            if (report.passed()) {
                // Only a first pass brings in the next step's setup, and only once: a re-check, or a step
                // passed out of order, must not re-apply a setup over what the learner did since.
                LabProgress before = progress.progress(account, labId);
                progress.recordPassed(account, labId, stepId);
                before.stepToSetUpAfterPassing(stepId).ifPresent(next -> {
                    try {
                        setup.setUpStep(sandbox, lab, catalog.step(labId, account.id(), next));
                    } catch (RuntimeException e) {
                        log.warn("Setting up step {} of {} for {} failed: {}", next, labId, account.username(), e.getMessage());
                    }
                });
            }
            return report;
        }

        @Override
        public void close() {
            permit.close();
        }
    }
}
