package dev.servicelab.provisioner;

import java.time.Instant;

/**
 * What the platform knows of a sandbox, persisted by a {@link SandboxLedger}: whose it is, its state
 * and phase, and its clocks. {@code owner} is null while the sandbox waits in the warm pool.
 */
public record SandboxRecord(
        String sandboxId,
        String owner,
        String labId,
        int nodes,
        SandboxState state,
        SandboxPhase phase,
        String message,
        Instant createdAt,
        Instant lastActiveAt,
        Instant expiresAt) {

    public SandboxRecord with(SandboxState newState, SandboxPhase newPhase, String newMessage) {
        return new SandboxRecord(sandboxId, owner, labId, nodes, newState, newPhase, newMessage, createdAt, lastActiveAt, expiresAt);
    }

    public SandboxRecord touched(Instant now) {
        return new SandboxRecord(sandboxId, owner, labId, nodes, state, phase, message, createdAt, now, expiresAt);
    }

    public SandboxRecord expiringAt(Instant newExpiry) {
        return new SandboxRecord(sandboxId, owner, labId, nodes, state, phase, message, createdAt, lastActiveAt, newExpiry);
    }

    public boolean pooled() {
        return owner == null;
    }
}
