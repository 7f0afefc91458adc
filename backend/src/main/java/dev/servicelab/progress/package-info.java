/**
 * A learner's progress through labs: steps passed, hints revealed, completion, and the events that
 * say so. May use {@code lab} (the format) and {@code catalog}, {@code security} and {@code problem}.
 */
package dev.servicelab.progress;
