package dev.servicelab.grading;

import java.time.Instant;
import java.util.List;

/** What the grading API answers: results per learner, lab and step, and pages of them. */
public final class Results {

    private Results() {
    }

    /** A step: NOT_STARTED, IN_PROGRESS or PASSED; {@code secondsSpent} from its start to its pass (or to now). */
    public record StepResult(String stepId, String title, String status, Instant startedAt, Instant passedAt,
            Long secondsSpent, int hintsUsed, int attempts, int failedAttempts) {
    }

    /** A learner's lab: steps weigh equally in {@code score} (0-100); {@code weight} is the lab's in the cohort. */
    public record LabResult(String labId, String title, String username, boolean completed, int passedSteps, int totalSteps,
            double score, double weight, Instant dueAt, boolean late, Instant startedAt, Instant completedAt, int attempts,
            Instant lastActivityAt, List<StepResult> steps) {

        public LabResult {
            steps = List.copyOf(steps);
        }
    }

    /** A learner in a cohort: {@code score} is the weighted mean of the lab scores (0-100). */
    public record LearnerResult(String username, String displayName, Instant joinedAt, double score, boolean completed,
            int completedLabs, int totalLabs, int attempts, Instant lastActivityAt, List<LabResult> labs) {

        public LearnerResult {
            labs = List.copyOf(labs);
        }
    }

    /** One page of items; {@code page} counts from 0. */
    public record Page<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

        public Page {
            items = List.copyOf(items);
        }

        public static <T> Page<T> of(List<T> all, int page, int size) {
            int from = (int) Math.min((long) page * size, all.size());
            int to = Math.min(from + size, all.size());
            return new Page<>(all.subList(from, to), page, size, all.size(), (all.size() + size - 1) / size);
        }
    }
}
