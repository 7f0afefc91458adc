package dev.servicelab.provisioner;

/**
 * What to create. {@code owner} and {@code labId} are null for a warm-pool sandbox, which gets its
 * learner later; they are still written as container labels when known, so a restarted platform
 * can tell whose a sandbox is even without its database. {@code snapshot}, when not null, is the
 * saved cluster the new sandbox starts from instead of an empty one. {@code addons} are the
 * {@link SandboxAddons} the lab asks for (none for a warm-pool sandbox).
 */
public record SandboxRequest(String sandboxId, String owner, String labId, int nodes, SandboxSnapshot snapshot,
        java.util.List<String> addons) {

    public SandboxRequest {
        if (sandboxId == null || !sandboxId.matches("[a-z0-9][a-z0-9-]{2,40}")) {
            throw new IllegalArgumentException("sandbox id must be 3-41 lowercase letters, digits or dashes: " + sandboxId);
        }
        if (nodes < 1 || nodes > 2) {
            throw new IllegalArgumentException("a sandbox has 1 or 2 nodes, not " + nodes);
        }
        addons = addons == null ? java.util.List.of() : java.util.List.copyOf(addons);
        SandboxAddons.validate(addons);
    }

    public SandboxRequest(String sandboxId, String owner, String labId, int nodes, SandboxSnapshot snapshot) {
        this(sandboxId, owner, labId, nodes, snapshot, java.util.List.of());
    }

    /** A sandbox with an empty cluster. */
    public SandboxRequest(String sandboxId, String owner, String labId, int nodes) {
        this(sandboxId, owner, labId, nodes, null, java.util.List.of());
    }

    public boolean restoring() {
        return snapshot != null;
    }
}
