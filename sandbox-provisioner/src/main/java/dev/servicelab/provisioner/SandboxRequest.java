package dev.servicelab.provisioner;

import java.util.Set;

/**
 * What to create. {@code owner} and {@code labId} are null for a warm-pool sandbox, which gets its
 * learner later; they are still written as container labels when known, so a restarted platform
 * can tell whose a sandbox is even without its database. {@code snapshot}, when not null, is the
 * saved cluster the new sandbox starts from instead of an empty one. {@code addons} are the optional
 * parts a lab asks for (a warm-pool sandbox has none), from {@link #ADDONS}.
 */
public record SandboxRequest(String sandboxId, String owner, String labId, int nodes, SandboxSnapshot snapshot,
        Set<String> addons) {

    /** The node enforces NetworkPolicies (the kit's policy controller; k3s's kube-router) and learners may write them. */
    public static final String NETWORK_POLICY = "networkPolicy";
    /** Every addon a lab may ask for. */
    public static final Set<String> ADDONS = Set.of(NETWORK_POLICY);

    public SandboxRequest {
        addons = addons == null ? Set.of() : Set.copyOf(addons);
        if (!ADDONS.containsAll(addons)) {
            throw new IllegalArgumentException("unknown sandbox addons " + addons + "; known: " + ADDONS);
        }
        if (sandboxId == null || !sandboxId.matches("[a-z0-9][a-z0-9-]{2,40}")) {
            throw new IllegalArgumentException("sandbox id must be 3-41 lowercase letters, digits or dashes: " + sandboxId);
        }
        if (nodes < 1 || nodes > 2) {
            throw new IllegalArgumentException("a sandbox has 1 or 2 nodes, not " + nodes);
        }
    }

    /** A sandbox without addons. */
    public SandboxRequest(String sandboxId, String owner, String labId, int nodes, SandboxSnapshot snapshot) {
        this(sandboxId, owner, labId, nodes, snapshot, Set.of());
    }

    /** A sandbox with an empty cluster and no addons. */
    public SandboxRequest(String sandboxId, String owner, String labId, int nodes) {
        this(sandboxId, owner, labId, nodes, null, Set.of());
    }

    public boolean networkPolicy() {
        return addons.contains(NETWORK_POLICY);
    }

    public boolean restoring() {
        return snapshot != null;
    }
}
