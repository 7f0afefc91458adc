/**
 * Results of a cohort's learners, analytics, the instructor dashboard and webhooks that report
 * completions. May use {@code cohort}, {@code check}, {@code progress}, {@code lab} (the format) and {@code catalog},
 * {@code events}, {@code jobs}, {@code security} and {@code problem}.
 */
package dev.servicelab.grading;
