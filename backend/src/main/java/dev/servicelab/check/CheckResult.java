package dev.servicelab.check;

/**
 * One check's verdict as the learner sees it: its title, whether it passed, and what was found.
 * {@code state} is {@code passed}, {@code wrong} (definitively not as the step asks) or
 * {@code waiting} (still converging when the verdict was given: its time ran out, or another check
 * already decided the step; while streaming, a check that is being retried).
 */
public record CheckResult(String title, String type, boolean passed, String message, long millis, String state) {

    static final String PASSED = "passed";
    static final String WRONG = "wrong";
    static final String WAITING = "waiting";

    boolean wrong() {
        return WRONG.equals(state);
    }

    boolean waiting() {
        return WAITING.equals(state);
    }
}
