package dev.servicelab.provisioner;

/** A sandbox could not be made or reached; {@link Reason} lets callers answer the learner precisely. */
public class SandboxException extends RuntimeException {

    public enum Reason {
        /** The host (or the learner) has as many sandboxes as configured: retry later or free one. */
        CAPACITY,
        /** Starting failed: the node image is missing, Docker refused, or Kubernetes never became ready. */
        START_FAILED,
        /** The sandbox does not exist (any more). */
        NOT_FOUND,
        /** The sandbox exists but its node container has stopped. */
        DEAD,
        /** A saved cluster cannot be restored by this node image: start a fresh cluster (replay) instead. */
        INCOMPATIBLE_SNAPSHOT
    }

    private final Reason reason;

    public SandboxException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SandboxException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
