package dev.servicelab.sandbox;

import dev.servicelab.provisioner.QueuePosition;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import java.time.Duration;
import java.time.Instant;

/**
 * A learner's sandbox as pages and the API show it. {@code state} is NONE before the first one,
 * and a dead or failed sandbox stays visible with its message until a new one starts.
 * {@code expiresAt} is its time limit ("More time" moves it); {@code idleExpiresAt} is when it is
 * removed if nothing happens in it until then (any work in it moves that). While the state is QUEUED
 * (the host was full), {@code queuePosition} (1 is next) and {@code queueWaitSeconds} (about when the
 * cluster should be ready) say where the learner stands; both are null otherwise. {@code waking} is
 * true while a STARTING sandbox is being restored from the learner's saved cluster (every phase of
 * that start is part of waking it up).
 */
public record SandboxView(String sandboxId, String state, String phase, String phaseDescription, int percent,
        String message, Instant createdAt, Instant expiresAt, Instant idleExpiresAt, long idleTimeoutSeconds,
        boolean tunnel, Integer queuePosition, Long queueWaitSeconds, boolean waking) {

    static final SandboxView NONE = new SandboxView(null, "NONE", null, "No sandbox yet", 0,
            "Start the lab to get a Kubernetes cluster of your own.", null, null, null, 0, false, null, null, false);

    static SandboxView of(SandboxRecord r, boolean tunnel, Duration idleTimeout, QueuePosition queue, boolean waking) {
        boolean active = r.state().active();
        return new SandboxView(r.sandboxId(), r.state().name(), r.phase().name(), r.phase().description(),
                r.state() == SandboxState.READY ? 100 : r.phase().percent(), r.message(), r.createdAt(), r.expiresAt(),
                active && r.lastActiveAt() != null ? r.lastActiveAt().plus(idleTimeout) : null, idleTimeout.toSeconds(),
                tunnel && r.state() == SandboxState.READY, queue == null ? null : queue.position(),
                queue == null ? null : queue.estimatedWait().toSeconds(), waking && r.state() == SandboxState.STARTING);
    }
}
