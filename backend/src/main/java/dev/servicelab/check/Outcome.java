package dev.servicelab.check;

/**
 * What one evaluation of a check found. A failure is either {@link #wrong definitive} (what the
 * learner wrote is not what the step asks, and waiting will not change that: no such object, a field
 * with the wrong value, an API refusal) or {@link #fail not yet} (something that converges, such as
 * pods starting, endpoints being published or DNS answering, may still make it pass). The engine
 * answers at once when a check is definitively wrong and retries only what is converging.
 */
public record Outcome(State state, String message) {

    public enum State {
        PASSED, WRONG, CONVERGING
    }

    public boolean passed() {
        return state == State.PASSED;
    }

    public static Outcome pass(String message) {
        return new Outcome(State.PASSED, message);
    }

    /** Definitively wrong: retrying cannot make it pass. */
    public static Outcome wrong(String message) {
        return new Outcome(State.WRONG, message);
    }

    /**
     * Not (yet) as expected, and may still converge: retried until the check's time is up. This is
     * also the safe answer for a check that cannot tell.
     */
    public static Outcome fail(String message) {
        return new Outcome(State.CONVERGING, message);
    }
}
