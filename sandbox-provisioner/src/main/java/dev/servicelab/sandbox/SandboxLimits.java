package dev.servicelab.sandbox;

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
 */
public record SandboxLimits(int warmPool, int maxPerLearner, int maxTotal, int maxConcurrentStarts, Duration idleTimeout,
        Duration hardTtl, Duration extension, Duration healthInterval) {
}
