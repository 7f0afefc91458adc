package dev.servicelab.cohort;

import java.time.Instant;

/**
 * A scheduled session of a cohort: its learners work on {@code labId} from {@code startsAt}. Between
 * {@code prewarmFrom} and {@code prewarmUntil} (the start minus and plus the pre-warm lead) the warm
 * pool is raised for the learners who have no sandbox for the lab yet.
 */
public record CohortSession(long id, long cohortId, String labId, Instant startsAt, Instant createdAt, Instant prewarmFrom,
        Instant prewarmUntil) {
}
