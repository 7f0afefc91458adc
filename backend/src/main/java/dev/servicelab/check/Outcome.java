package dev.servicelab.check;

/** What one evaluation of a check found. */
public record Outcome(boolean passed, String message) {

    public static Outcome pass(String message) {
        return new Outcome(true, message);
    }

    public static Outcome fail(String message) {
        return new Outcome(false, message);
    }
}
