package dev.servicelab.provisioner;

import java.time.Duration;

/**
 * When a learner's idle sandbox gives back what it holds. After {@code freezeAfter} without activity
 * its processes are paused (no CPU, memory kept, back in about a second); after {@code hibernateAfter}
 * its cluster is saved and the sandbox removed (nothing held but the snapshot, back in seconds).
 * While in use it is saved every {@code snapshotInterval} when the learner did something since the
 * last save, so a node that dies loses at most that much. Zero turns a step off.
 */
public record Hibernation(Duration freezeAfter, Duration hibernateAfter, Duration snapshotInterval) {

    public static final Hibernation OFF = new Hibernation(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public Hibernation {
        for (Duration d : new Duration[] {freezeAfter, hibernateAfter, snapshotInterval}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("hibernation delays must be zero (off) or positive, not " + d);
            }
        }
        if (!freezeAfter.isZero() && !hibernateAfter.isZero() && freezeAfter.compareTo(hibernateAfter) > 0) {
            throw new IllegalArgumentException("freeze-after (" + freezeAfter + ") must not be longer than hibernate-after ("
                    + hibernateAfter + "): a sandbox is frozen first, then saved and removed");
        }
    }

    public boolean freezes() {
        return !freezeAfter.isZero();
    }

    public boolean hibernates() {
        return !hibernateAfter.isZero();
    }

    public boolean savesPeriodically() {
        return !snapshotInterval.isZero();
    }
}
