package dev.servicelab.grading;

import java.util.List;

/**
 * How a cohort is doing, step by step: completion, where learners spend longest, and which check
 * failures they meet most.
 */
public record CohortAnalytics(long cohortId, int learners, List<StepStats> steps, List<StepStats> stuckLongest,
        List<FailureCount> commonFailures) {

    public CohortAnalytics {
        steps = List.copyOf(steps);
        stuckLongest = List.copyOf(stuckLongest);
        commonFailures = List.copyOf(commonFailures);
    }

    /**
     * One step over the cohort's learners. Minutes are means over the learners concerned; in-progress
     * steps count their time so far, so a step nobody gets past still shows as long.
     */
    public record StepStats(String labId, String stepId, String title, int started, int passed, double completionPercent,
            Double meanMinutesToPass, int inProgress, Double meanMinutesSpent, int hintsUsed, int failedAttempts) {
    }

    public record FailureCount(String labId, String stepId, String message, int count, int learners) {
    }
}
