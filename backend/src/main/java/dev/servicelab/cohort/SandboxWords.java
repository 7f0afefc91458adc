package dev.servicelab.cohort;

import dev.servicelab.provisioner.SandboxPhase;

/** A learner's sandbox state in the words an instructor reads on the dashboard. */
final class SandboxWords {

    private SandboxWords() {
    }

    /**
     * @param queuePosition where a queued learner stands (1 is next), null when unknown
     * @param queueWaitSeconds about when a queued learner's cluster should be ready, null when unknown
     * @param wakeSeconds about how long waking a hibernated cluster takes, null when unknown
     */
    static String describe(String state, String phase, Integer queuePosition, Long queueWaitSeconds, Long wakeSeconds) {
        return switch (state) {
            case "QUEUED" -> "waiting" + (queuePosition == null ? " in the queue" : ", number " + queuePosition + " in the queue")
                    + (queueWaitSeconds == null ? "" : ", ~" + Math.max(1, (queueWaitSeconds + 59) / 60) + " min");
            case "STARTING" -> starting(phase);
            case "READY" -> "ready";
            case "FROZEN" -> "paused, wakes in a second";
            case "HIBERNATED" -> "saved, wakes in " + (wakeSeconds == null ? "about a minute" : "~" + wakeSeconds + " s");
            case "FAILED" -> "failed to start";
            case "DEAD" -> "stopped unexpectedly";
            case "EXPIRED" -> "expired";
            case "DELETED" -> "ended";
            default -> state.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String starting(String phase) {
        SandboxPhase p;
        try {
            p = phase == null ? null : SandboxPhase.valueOf(phase);
        } catch (IllegalArgumentException e) {
            p = null;
        }
        if (p == null || p == SandboxPhase.QUEUED) {
            return "starting";
        }
        if (p == SandboxPhase.WAKING) {
            return "starting: waking from where they left it";
        }
        String d = p.description();
        return "starting: " + Character.toLowerCase(d.charAt(0)) + d.substring(1);
    }
}
