package dev.servicelab.provisioner;

import java.time.Duration;

/**
 * Where a waiting learner stands: {@code position} 1 is next. {@code estimatedWait} is when their
 * cluster should be ready: the time until the slot they wait for frees (see
 * {@link SandboxManager#queuePosition}) plus a typical start.
 */
public record QueuePosition(int position, Duration estimatedWait) {
}
