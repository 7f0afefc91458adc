package dev.servicelab.check;

import dev.servicelab.account.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalogService;
import dev.servicelab.lab.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.sandbox.Sandbox;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.web.ConflictException;
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

    public CheckService(CheckEngine engine, LabCatalogService catalog, SandboxService sandboxes, ProgressService progress,
            CheckAttemptRepository attempts, LabSetup setup, ApplicationEventPublisher events) {
        this.engine = engine;
        this.catalog = catalog;
        this.sandboxes = sandboxes;
        this.progress = progress;
        this.attempts = attempts;
        this.setup = setup;
        this.events = events;
    }

    public StepReport check(Account account, String labId, String stepId) {
        Lab lab = catalog.lab(labId);
        LabStep step = catalog.step(labId, stepId);
        LabProgress before = progress.progress(account, labId);
        if (before.startedAt() == null) {
            throw new ConflictException("lab-not-started", "Lab not started",
                    "Start the lab first (POST /api/v1/labs/" + labId + "/enrolment), then check your work.");
        }
        SandboxHandle handle = sandboxes.ready(account, labId);
        handle.active();
        Sandbox sandbox = handle.sandbox();
        StepReport report = engine.run(labId, step, new CheckContext(sandbox, handle.client()));
        attempts.record(account.id(), sandbox.id(), report);
        events.publishEvent(new CheckAttemptedEvent(account.id(), account.username(), labId, stepId, report.passed(),
                report.firstFailure(), report.checkedAt()));
        if (report.passed()) {
            LabProgress after = progress.recordPassed(account, labId, stepId);
            String next = after.currentStepId();
            if (next != null && !next.equals(stepId)) {
                try {
                    setup.setUpStep(sandbox, lab, catalog.step(labId, next));
                } catch (RuntimeException e) {
                    log.warn("Setting up step {} of {} for {} failed: {}", next, labId, account.username(), e.getMessage());
                }
            }
        }
        return report;
    }
}
