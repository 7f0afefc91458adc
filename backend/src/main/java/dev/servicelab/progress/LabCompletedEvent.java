package dev.servicelab.progress;

import java.time.Instant;

/** Published once per learner and lab: when its last step passes and the lab becomes complete. */
public record LabCompletedEvent(long accountId, String username, String labId, Instant completedAt) {
}
