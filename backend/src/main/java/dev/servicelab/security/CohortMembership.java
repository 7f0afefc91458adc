package dev.servicelab.security;

import java.util.OptionalLong;

/**
 * What the access rules need to know of cohorts, implemented by the cohort feature so that this
 * package imports none: who owns a cohort, and whom an instructor teaches.
 */
public interface CohortMembership {

    /** The account that owns the cohort, or empty if there is no such cohort. */
    OptionalLong ownerOf(long cohortId);

    /** Whether the instructor owns a cohort the learner is a member of. */
    boolean teaches(long instructorId, long learnerId);
}
