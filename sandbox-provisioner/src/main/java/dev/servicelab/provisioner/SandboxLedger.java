package dev.servicelab.provisioner;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Where sandbox records are kept: the platform's database, or memory in tests. */
public interface SandboxLedger {

    void save(SandboxRecord record);

    Optional<SandboxRecord> find(String sandboxId);

    /**
     * Sets an active (or queued) record's last activity, leaving everything else as it is: a record
     * whose state changed meanwhile is not written back with its old state.
     */
    default void touch(String sandboxId, java.time.Instant at) {
        find(sandboxId).filter(r -> (r.state().active() || r.state() == SandboxState.QUEUED) && r.lastActiveAt().isBefore(at))
                .ifPresent(r -> save(r.touched(at)));
    }

    /** Records in an active state (starting, ready or frozen). */
    List<SandboxRecord> active();

    /** Learners waiting for a slot ({@link SandboxState#QUEUED}), first come first. */
    List<SandboxRecord> queued();

    /** The learner's most recent sandbox for a lab, whatever its state; empty when unknown. */
    default Optional<SandboxRecord> latest(String owner, String labId) {
        return Optional.empty();
    }

    /**
     * Runs {@code work} while no other platform replica runs allocation work on the same records
     * (hand-out from the pool, limits, refill), so that two replicas never give one pooled sandbox
     * to two learners. One process alone needs no more than this default.
     */
    default <T> T exclusively(Supplier<T> work) {
        return work.get();
    }
}
