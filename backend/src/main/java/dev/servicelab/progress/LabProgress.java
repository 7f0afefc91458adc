package dev.servicelab.progress;

import java.time.Instant;
import java.util.List;

/** A learner's progress through one lab; steps are in the lab's order, including those not started. */
public record LabProgress(String labId, Instant startedAt, Instant completedAt, List<StepProgress> steps) {

    public LabProgress {
        steps = List.copyOf(steps);
    }

    public long passedSteps() {
        return steps.stream().filter(s -> s.status() == StepStatus.PASSED).count();
    }

    /** The first step not passed yet: where the learner should be working. */
    public String currentStepId() {
        return steps.stream().filter(s -> s.status() != StepStatus.PASSED).map(StepProgress::stepId).findFirst()
                .orElse(null);
    }

    public record StepProgress(String stepId, StepStatus status, Instant startedAt, Instant passedAt, int hintsUsed) {
    }
}
