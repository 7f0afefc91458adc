package dev.servicelab.progress;

import dev.servicelab.security.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.LabStep;
import dev.servicelab.problem.ConflictException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Progress per learner, lab and step. Steps are passed only by the server's checks. */
@Service
public class ProgressService {

    private final ProgressRepository repository;
    private final LabCatalogService catalog;
    private final ApplicationEventPublisher events;

    public ProgressService(ProgressRepository repository, LabCatalogService catalog, ApplicationEventPublisher events) {
        this.repository = repository;
        this.catalog = catalog;
        this.events = events;
    }

    public LabProgress progress(Account account, String labId) {
        Lab lab = catalog.lab(labId, account.id());
        var enrolment = repository.enrolment(account.id(), labId);
        Map<String, ProgressRepository.StepRow> rows = repository.steps(account.id(), labId).stream()
                .collect(Collectors.toMap(ProgressRepository.StepRow::stepId, Function.identity()));
        List<LabProgress.StepProgress> steps = lab.steps().stream().map(step -> {
            var row = rows.get(step.id());
            return row == null ? new LabProgress.StepProgress(step.id(), StepStatus.NOT_STARTED, null, null, 0)
                    : new LabProgress.StepProgress(step.id(), row.status(), row.startedAt(), row.passedAt(), row.hintsUsed());
        }).toList();
        return new LabProgress(labId, enrolment.map(ProgressRepository.Enrolment::startedAt).orElse(null),
                enrolment.map(ProgressRepository.Enrolment::completedAt).orElse(null), steps);
    }

    /** Starts a lab: idempotent, so opening a lab twice changes nothing. */
    @Transactional
    public LabProgress start(Account account, String labId) {
        Lab lab = catalog.lab(labId, account.id());
        repository.enrol(account.id(), labId);
        repository.startStep(account.id(), labId, lab.steps().get(0).id());
        return progress(account, labId);
    }

    /** Records that a step's checks passed; the next step starts, and the last one completes the lab. */
    @Transactional
    public LabProgress recordPassed(Account account, String labId, String stepId) {
        Lab lab = catalog.lab(labId, account.id());
        catalog.step(labId, account.id(), stepId);
        repository.enrol(account.id(), labId);
        repository.passStep(account.id(), labId, stepId);
        LabProgress progress = progress(account, labId);
        String next = progress.currentStepId();
        if (next == null) {
            repository.completeLab(account.id(), labId);
        } else {
            repository.startStep(account.id(), labId, next);
        }
        LabProgress after = progress(account, lab.id());
        // Listeners (dashboard, webhooks) that need committed rows listen after the commit.
        events.publishEvent(new StepPassedEvent(account.id(), account.username(), labId, stepId, Instant.now()));
        if (progress.completedAt() == null && after.completedAt() != null) {
            events.publishEvent(new LabCompletedEvent(account.id(), account.username(), labId, after.completedAt()));
        }
        return after;
    }

    /** Reveals the step's next hint and returns every hint revealed so far. */
    @Transactional
    public List<String> revealHint(Account account, String labId, String stepId) {
        LabStep step = catalog.step(labId, account.id(), stepId);
        if (repository.enrolment(account.id(), labId).isEmpty()) {
            throw new ConflictException("lab-not-started", "Lab not started",
                    "Start the lab before asking for hints: POST /api/v1/labs/" + labId + "/enrolment.");
        }
        int used = repository.useHint(account.id(), labId, stepId);
        events.publishEvent(new HintRevealedEvent(account.username(), labId, stepId));
        return step.hints().subList(0, Math.min(used, step.hints().size()));
    }

    public List<String> revealedHints(Account account, String labId, String stepId) {
        LabStep step = catalog.step(labId, account.id(), stepId);
        int used = progress(account, labId).steps().stream().filter(s -> s.stepId().equals(stepId))
                .mapToInt(LabProgress.StepProgress::hintsUsed).findFirst().orElse(0);
        return step.hints().subList(0, Math.min(used, step.hints().size()));
    }

    public List<String> enrolledLabs(Account account) {
        return repository.enrolledLabs(account.id());
    }
}
