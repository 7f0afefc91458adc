package dev.servicelab.check;

import java.time.Instant;

/** Published after a check attempt is recorded, passed or not; {@code message} is the first failure. */
public record CheckAttemptedEvent(long accountId, String username, String labId, String stepId, boolean passed,
        String message, Instant checkedAt) {
}
