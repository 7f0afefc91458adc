package dev.servicelab.provisioner;

import java.util.List;
import java.util.Optional;

/**
 * Creates, finds and deletes sandboxes: real Kubernetes clusters, one per learner. Implementations
 * label what they create so that {@link #list()} finds it again after the platform restarts.
 */
public interface SandboxProvisioner {

    /** Creates and starts a sandbox, reporting each phase, and returns when its node and DNS are ready. */
    Sandbox create(SandboxRequest request, SandboxProgress progress);

    /** Every sandbox this platform created that still exists, running or not. */
    List<SandboxStatus> list();

    /** Re-attaches to a running sandbox (e.g. after a platform restart). */
    Optional<Sandbox> attach(String sandboxId);

    /** Whether the sandbox's node containers are all running. */
    boolean isAlive(String sandboxId);

    /**
     * Reads a file from a node's container as the platform (learners cannot reach it), e.g. the flow
     * observer's token.
     */
    default String readNodeFile(SandboxNode node, String path) {
        throw new UnsupportedOperationException("This provisioner cannot read files from its nodes");
    }

    /**
     * The node's NAT table as {@code iptables-save -t nat} prints it, read as the platform: kube-proxy's
     * rules for the learner to look at (their pods cannot see the node's network stack).
     */
    default String natTable(SandboxNode node) {
        throw new UnsupportedOperationException("This provisioner cannot read a node's rules");
    }

    /**
     * Whether this provisioner can {@link #snapshot} and restore sandboxes; when not, idle sandboxes
     * are simply removed after the idle timeout.
     */
    default boolean canHibernate() {
        return false;
    }

    /**
     * Whether it can also {@link #freeze} and {@link #thaw} them; when not (a pod cannot be paused),
     * hibernation has no freeze stage: an idle sandbox runs until it is saved and removed.
     */
    default boolean canFreeze() {
        return canHibernate();
    }

    /** Pauses every process of the sandbox's nodes: no CPU, memory kept; {@link #thaw} resumes them. Idempotent. */
    default void freeze(String sandboxId) {
        throw new UnsupportedOperationException("This provisioner cannot freeze sandboxes");
    }

    /** Resumes a frozen sandbox; idempotent. */
    default void thaw(String sandboxId) {
        throw new UnsupportedOperationException("This provisioner cannot freeze sandboxes");
    }

    /**
     * Saves the sandbox's cluster consistently (its nodes are frozen during the copy and left as they
     * were found). A {@link SandboxRequest} carrying the snapshot starts a sandbox from it.
     */
    default SandboxSnapshot snapshot(String sandboxId) {
        throw new UnsupportedOperationException("This provisioner cannot snapshot sandboxes");
    }

    /** Removes the sandbox and everything it created (containers, network, volumes); idempotent. */
    void delete(String sandboxId);

    /** A sandbox as its labels describe it, without connecting to it. */
    record SandboxStatus(String sandboxId, String owner, String labId, boolean running, java.time.Instant createdAt,
            boolean frozen) {

        public SandboxStatus(String sandboxId, String owner, String labId, boolean running, java.time.Instant createdAt) {
            this(sandboxId, owner, labId, running, createdAt, false);
        }
    }
}
