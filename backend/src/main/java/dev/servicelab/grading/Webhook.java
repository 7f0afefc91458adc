package dev.servicelab.grading;

import java.time.Instant;

/** A cohort's webhook as listed (the secret is shown only when it is created). */
public record Webhook(long id, long cohortId, String url, Instant createdAt) {

    /** A delivery of one event to a webhook, with its attempts so far. */
    public record Delivery(long id, String eventKey, String eventType, String status, int attempts, Instant nextAttemptAt,
            Integer lastStatus, String lastError, Instant createdAt, Instant deliveredAt) {
    }
}
