package dev.servicelab.provisioner;

/** Where a sandbox is in its life, as the platform records it. */
public enum SandboxState {
    /**
     * Waiting for a free slot: the host was full when the learner asked. Not a sandbox yet (nothing
     * runs); housekeeping starts the oldest waiting entry in place when a slot frees.
     */
    QUEUED,
    /** Being created; its {@link SandboxPhase} says how far. */
    STARTING,
    /** Ready and assigned to a learner (or waiting in the warm pool when it has no owner). */
    READY,
    /** Its learner is away: its processes are paused (memory kept); acquiring it again resumes it in a second. */
    FROZEN,
    /** Its learner was away longer: its cluster was saved and the sandbox removed; acquiring restores it. */
    HIBERNATED,
    /** Could not be created; the message says why. */
    FAILED,
    /** Its node stopped while in use; the learner can get a fresh one. */
    DEAD,
    /** Removed after the idle timeout or hard TTL. */
    EXPIRED,
    /** Removed on request. */
    DELETED;

    public boolean active() {
        return this == STARTING || this == READY || this == FROZEN;
    }
}
