package dev.servicelab.sandbox;

import java.time.Instant;

/**
 * A learner's sandbox as pages and the API show it. {@code state} is NONE before the first one,
 * and a dead or failed sandbox stays visible with its message until a new one starts.
 */
public record SandboxView(String sandboxId, String state, String phase, String phaseDescription, int percent,
        String message, Instant createdAt, Instant expiresAt, boolean tunnel) {

    static final SandboxView NONE = new SandboxView(null, "NONE", null, "No sandbox yet", 0,
            "Start the lab to get a Kubernetes cluster of your own.", null, null, false);

    static SandboxView of(SandboxRecord r, boolean tunnel) {
        return new SandboxView(r.sandboxId(), r.state().name(), r.phase().name(), r.phase().description(),
                r.state() == SandboxState.READY ? 100 : r.phase().percent(), r.message(), r.createdAt(), r.expiresAt(),
                tunnel && r.state() == SandboxState.READY);
    }
}
