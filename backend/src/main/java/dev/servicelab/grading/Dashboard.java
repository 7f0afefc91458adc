package dev.servicelab.grading;

import dev.servicelab.cohort.LearnerSandboxes;
import dev.servicelab.cohort.Cohort;

import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.lab.Lab;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Everything the instructor's dashboard of a cohort shows. */
public record Dashboard(Cohort cohort, List<Lab> labs, List<LearnerPanel> learners, CohortAnalytics analytics) {

    /** A learner's row and details: results, recent attempts and sandboxes. */
    public record LearnerPanel(LearnerResult result, List<Attempt> attempts, List<LearnerSandboxes.SandboxSummary> sandboxes) {

        /** The sandbox the learner has now (queued or running), else their latest; null before the first. */
        public LearnerSandboxes.SandboxSummary current() {
            return sandboxes.stream().filter(LearnerSandboxes.SandboxSummary::current).findFirst()
                    .or(() -> sandboxes.stream().max(Comparator.comparing(LearnerSandboxes.SandboxSummary::createdAt)))
                    .orElse(null);
        }
    }

    public record Attempt(String labId, String stepId, boolean passed, String message, Instant createdAt) {
    }

    /** "12 min" for a number of seconds, for people rather than machines. */
    public String duration(Long seconds) {
        if (seconds == null) {
            return "";
        }
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
