package dev.servicelab.check;

/** One check's verdict as the learner sees it: its title, whether it passed, and what was found. */
public record CheckResult(String title, String type, boolean passed, String message, long millis) {
}
