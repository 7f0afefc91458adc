package dev.servicelab.progress;

import java.time.Instant;

/** Published when a learner's step is recorded as passed (again, if it was already). */
public record StepPassedEvent(long accountId, String username, String labId, String stepId, Instant passedAt) {
}
