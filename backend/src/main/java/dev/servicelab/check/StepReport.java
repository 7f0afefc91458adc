package dev.servicelab.check;

import java.time.Instant;
import java.util.List;

/** The verdict on one step: every check's result; the step passes when all of them do. */
public record StepReport(String labId, String stepId, boolean passed, List<CheckResult> results, long millis,
        Instant checkedAt) {

    public StepReport {
        results = List.copyOf(results);
    }

    /** The first failure's message: what a learner should fix first. */
    public String firstFailure() {
        return results.stream().filter(r -> !r.passed()).map(CheckResult::message).findFirst().orElse(null);
    }
}
