/**
 * A learner's progress through labs: steps passed, hints revealed, completion, and the events that
 * say so. May use {@code lab}, {@code security} and {@code problem}.
 */
package dev.servicelab.progress;
