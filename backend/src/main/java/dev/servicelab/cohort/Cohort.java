package dev.servicelab.cohort;

import java.time.Instant;
import java.util.List;

/** A cohort (course): its owner, join code, schedule and labs in order. */
public record Cohort(long id, String name, long ownerId, String ownerUsername, String joinCode, Instant opensAt,
        Instant closesAt, Instant archivedAt, Instant createdAt, List<CohortLab> labs) {

    public Cohort {
        labs = List.copyOf(labs);
    }

    public boolean archived() {
        return archivedAt != null;
    }

    public boolean hasLab(String labId) {
        return labs.stream().anyMatch(l -> l.labId().equals(labId));
    }

    public List<String> labIds() {
        return labs.stream().map(CohortLab::labId).toList();
    }

    /** A lab of the cohort: its optional due date, and its weight in the cohort score (1 unless set). */
    public record CohortLab(String labId, int position, Instant dueAt, double weight) {
    }

    /** A learner in the cohort. */
    public record Member(long accountId, String username, String displayName, Instant joinedAt) {
    }
}
