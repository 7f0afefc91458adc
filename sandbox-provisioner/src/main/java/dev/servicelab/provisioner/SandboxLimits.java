package dev.servicelab.provisioner;

import java.time.Duration;

/**
 * @param warmPool clean one-node sandboxes kept ready so a learner gets one at once
 * @param maxPerLearner active sandboxes one learner may hold (one per lab)
 * @param maxTotal active sandboxes on this host, the pool included
 * @param maxConcurrentStarts sandboxes started at the same time (starting is CPU-heavy)
 * @param idleTimeout a sandbox unused this long is removed
 * @param hardTtl no sandbox lives longer than this, however active
 * @param extension how much "extend" adds (never beyond the hard TTL)
 * @param healthInterval how often running sandboxes are checked and expiry is applied
 * @param startGrace how long a STARTING sandbox may go without word from the replica starting it
 *     (each housekeeping round renews it) before another replica takes the start for abandoned (zero
 *     for a single instance: what is STARTING when it starts was cut short by its own restart); also
 *     how old an unrecorded sandbox must be before it is reaped as an orphan
 */
public record SandboxLimits(int warmPool, int maxPerLearner, int maxTotal, int maxConcurrentStarts, Duration idleTimeout,
        Duration hardTtl, Duration extension, Duration healthInterval, Duration startGrace) {

    public SandboxLimits {
        startGrace = startGrace == null || startGrace.isNegative() ? Duration.ZERO : startGrace;
    }

    /** Limits for a platform that runs as one instance. */
    public SandboxLimits(int warmPool, int maxPerLearner, int maxTotal, int maxConcurrentStarts, Duration idleTimeout,
            Duration hardTtl, Duration extension, Duration healthInterval) {
        this(warmPool, maxPerLearner, maxTotal, maxConcurrentStarts, idleTimeout, hardTtl, extension, healthInterval,
                Duration.ZERO);
    }

    /** Whether several platform replicas may share the sandboxes (and their records). */
    public boolean shared() {
        return !startGrace.isZero();
    }
}
