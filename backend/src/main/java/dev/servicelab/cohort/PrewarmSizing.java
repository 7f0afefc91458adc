package dev.servicelab.cohort;

import java.util.List;

/**
 * How many clean sandboxes to keep beyond the normal warm pool for the sessions about to start:
 * one per learner of those sessions who has no sandbox for the session's lab yet, but never more than
 * the room under max-total (the host's limit for learners' sandboxes), since a pre-warmed sandbox a
 * learner could not be given would only take a slot.
 */
final class PrewarmSizing {

    private PrewarmSizing() {
    }

    /**
     * @param withoutSandbox per session in its pre-warm window, its learners without a sandbox for its lab
     * @param room how many more learners' sandboxes max-total allows now
     */
    static int extra(List<Integer> withoutSandbox, int room) {
        long wanted = withoutSandbox.stream().mapToLong(n -> Math.max(0, n)).sum();
        return (int) Math.max(0, Math.min(wanted, room));
    }
}
