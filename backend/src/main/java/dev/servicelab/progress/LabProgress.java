package dev.servicelab.progress;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

    /**
     * Read before a pass of {@code stepId} is recorded: the step whose setup that pass brings in, i.e.
     * the one after it in the lab, if the learner has not reached it yet. Nothing when {@code stepId}
     * was passed before (a re-check) or the next step was already started: its setup ran then, and
     * applying it again would undo the learner's work there.
     */
    public Optional<String> stepToSetUpAfterPassing(String stepId) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).stepId().equals(stepId)) {
                if (steps.get(i).status() == StepStatus.PASSED || i + 1 == steps.size()) {
                    return Optional.empty();
                }
                StepProgress next = steps.get(i + 1);
                return next.status() == StepStatus.NOT_STARTED && next.startedAt() == null
                        ? Optional.of(next.stepId()) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    public record StepProgress(String stepId, StepStatus status, Instant startedAt, Instant passedAt, int hintsUsed) {
    }
}
