package dev.servicelab.cohort;

import dev.servicelab.sandbox.SandboxManager;
import dev.servicelab.grading.ApiProblem;
import dev.servicelab.web.ConflictException;
import dev.servicelab.web.NotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** An instructor's view of and control over their learners' sandboxes in a cohort's labs. */
@Service
public class LearnerSandboxes {

    /** A learner's latest sandbox for a lab, as the dashboard shows it. */
    public record SandboxSummary(String sandboxId, String labId, String state, String phase, String message,
            Instant createdAt, Instant expiresAt) {

        public boolean active() {
            return ACTIVE.contains(state);
        }
    }

    private static final Set<String> ACTIVE = Set.of("STARTING", "READY", "FROZEN");

    private final JdbcClient jdbc;
    private final ObjectProvider<SandboxManager> manager;

    LearnerSandboxes(JdbcClient jdbc, ObjectProvider<SandboxManager> manager) {
        this.jdbc = jdbc;
        this.manager = manager;
    }

    /** Each learner's latest sandbox per lab of the cohort. */
    public List<SandboxSummary> latest(Cohort cohort, String username) {
        return jdbc.sql("""
                select distinct on (lab_id) id, lab_id, state, phase, message, created_at, expires_at from sandbox
                where owner = ? and lab_id = any(?) order by lab_id, created_at desc""")
                .params(username, cohort.labIds().toArray(String[]::new))
                .query((rs, n) -> new SandboxSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(),
                        rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()))
                .list();
    }

    /** Gives the learner's running sandbox more time (up to its hard limit). */
    public SandboxSummary extend(Cohort cohort, String username, String sandboxId) {
        running(cohort, username, sandboxId);
        manager().extend(sandboxId);
        return find(cohort, username, sandboxId);
    }

    /** Ends the learner's running sandbox; from the lab page they can start a fresh one. */
    public SandboxSummary end(Cohort cohort, String username, String sandboxId) {
        running(cohort, username, sandboxId);
        manager().release(sandboxId);
        return find(cohort, username, sandboxId);
    }

    private SandboxSummary running(Cohort cohort, String username, String sandboxId) {
        SandboxSummary sandbox = find(cohort, username, sandboxId);
        if (!sandbox.active()) {
            throw new ConflictException("sandbox-not-running", "Sandbox not running", "Sandbox " + sandboxId + " of "
                    + username + " is " + sandbox.state() + ", so there is nothing to extend or end. The learner starts "
                    + "a fresh one from the lab page.");
        }
        return sandbox;
    }

    private SandboxSummary find(Cohort cohort, String username, String sandboxId) {
        return latestOrAny(username, sandboxId).filter(s -> cohort.hasLab(s.labId()))
                .orElseThrow(() -> new NotFoundException("sandbox-not-found", "No such sandbox", username + " has no sandbox "
                        + sandboxId + " in this cohort's labs. The dashboard lists each learner's sandboxes."));
    }

    private java.util.Optional<SandboxSummary> latestOrAny(String username, String sandboxId) {
        return jdbc.sql("select id, lab_id, state, phase, message, created_at, expires_at from sandbox where id = ? and owner = ?")
                .params(sandboxId, username)
                .query((rs, n) -> new SandboxSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(),
                        rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()))
                .optional();
    }

    private SandboxManager manager() {
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "sandboxes-disabled", "Sandboxes are off",
                    "This server does not run sandboxes (servicelab.sandbox.enabled=false), so there is none to change.");
        }
        return m;
    }
}
