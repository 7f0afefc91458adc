/**
 * Cohorts: creating and running them, their members, labs and join codes, their scheduled sessions
 * (and pre-warming sandboxes for them), the learner's course page, and the instructor's view of
 * members' sandboxes. Implements {@code security.CohortMembership} for the access rules. May use
 * {@code account}, {@code lab} (the format) and {@code catalog}, {@code progress}, {@code sandbox}
 * (and the provisioner's manager), {@code jobs}, {@code security} and {@code problem}; never
 * {@code grading} (grading depends on cohorts).
 */
package dev.servicelab.cohort;
