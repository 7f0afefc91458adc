/**
 * The platform's background work: every periodic job runs through {@link dev.servicelab.jobs.Jobs},
 * which keeps it alive whatever it throws and reports its last successful run in
 * {@code /actuator/health}. Depends on nothing of the features; they depend on it.
 */
package dev.servicelab.jobs;
