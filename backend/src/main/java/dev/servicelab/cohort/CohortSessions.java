package dev.servicelab.cohort;

import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.problem.ApiProblem;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.problem.NotFoundException;
import java.time.Clock;
import java.util.List;
import org.springframework.stereotype.Service;

/** Scheduling a cohort's sessions (a lab and a start time); refusals say what to change. */
@Service
public class CohortSessions {

    /** What an instructor asks for. */
    public record SessionRequest(String labId, java.time.Instant startsAt) {
    }

    private final CohortSessionRepository sessions;
    private final LabCatalogService catalog;
    private final Clock clock = Clock.systemUTC();

    CohortSessions(CohortSessionRepository sessions, LabCatalogService catalog) {
        this.sessions = sessions;
        this.catalog = catalog;
    }

    public CohortSession schedule(Cohort cohort, SessionRequest request) {
        if (cohort.archived()) {
            throw new ConflictException("cohort-archived", "Cohort archived", "The cohort '" + cohort.name()
                    + "' is archived, so it has no more sessions. Schedule them in a current cohort.");
        }
        String labId = request == null ? null : request.labId();
        if (labId == null || catalog.catalog().lab(labId).isEmpty()) {
            throw invalid("There is no lab '" + labId + "'. Choose among the cohort's labs " + cohort.labIds() + ".");
        }
        if (!cohort.hasLab(labId)) {
            throw invalid("The lab '" + labId + "' is not one of the cohort's labs " + cohort.labIds()
                    + ". Add it to the cohort first (PUT /api/v1/cohorts/" + cohort.id() + ") or choose one of those.");
        }
        if (request.startsAt() == null) {
            throw invalid("Give the session's start time, startsAt, as an ISO-8601 instant (e.g. 2025-03-04T09:00:00Z).");
        }
        if (!request.startsAt().isAfter(clock.instant())) {
            throw invalid("The session must start in the future: startsAt " + request.startsAt() + " is not after now ("
                    + clock.instant() + ").");
        }
        return sessions.insert(cohort.id(), labId, request.startsAt());
    }

    /** The cohort's sessions, earliest first (past ones included). */
    public List<CohortSession> of(Cohort cohort) {
        return sessions.of(cohort.id());
    }

    /** Cancels a session: its pre-warmed sandboxes go back once the pool is next sized. */
    public void cancel(Cohort cohort, long sessionId) {
        CohortSession session = sessions.find(cohort.id(), sessionId).orElseThrow(() -> new NotFoundException(
                "session-not-found", "No such session", "Cohort " + cohort.id() + " has no session " + sessionId
                        + ". GET /api/v1/cohorts/" + cohort.id() + "/sessions lists them."));
        sessions.delete(session.id());
    }

    private static ApiProblem invalid(String detail) {
        return ApiProblem.badRequest("invalid-session", "The session cannot be scheduled", detail);
    }
}
