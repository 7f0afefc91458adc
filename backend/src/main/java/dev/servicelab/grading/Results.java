package dev.servicelab.grading;

import io.swagger.v3.oas.annotations.media.Schema;
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
    @Schema(description = "One page of items, in a stable order; ask for page+1 until page+1 == totalPages.")
    public record Page<T>(
            @Schema(description = "this page's items (at most size)") List<T> items,
            @Schema(description = "the page number, from 0", example = "0") int page,
            @Schema(description = "the page size asked for", example = "50") int size,
            @Schema(description = "how many items pass the filters, over all pages", example = "1000") long totalItems,
            @Schema(description = "how many pages of this size hold them", example = "20") int totalPages) {

        public Page {
            items = List.copyOf(items);
        }

        public <R> Page<R> map(java.util.function.Function<T, R> mapping) {
            return new Page<>(items.stream().map(mapping).toList(), page, size, totalItems, totalPages);
        }
    }
}
