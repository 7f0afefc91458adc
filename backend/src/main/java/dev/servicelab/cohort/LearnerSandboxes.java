package dev.servicelab.cohort;

import dev.servicelab.sandbox.JdbcSandboxLedger;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.problem.ApiProblem;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.problem.NotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
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

    private final JdbcSandboxLedger ledger;
    private final ObjectProvider<SandboxManager> manager;

    LearnerSandboxes(JdbcSandboxLedger ledger, ObjectProvider<SandboxManager> manager) {
        this.ledger = ledger;
        this.manager = manager;
    }

    /** Each learner's latest sandbox per lab of the cohort. */
    public List<SandboxSummary> latest(Cohort cohort, String username) {
        return ledger.latestPerLab(username, cohort.labIds()).stream().map(LearnerSandboxes::summary).toList();
    }

    private static SandboxSummary summary(SandboxRecord r) {
        return new SandboxSummary(r.sandboxId(), r.labId(), r.state().name(), r.phase().name(), r.message(), r.createdAt(),
                r.expiresAt());
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
        return ledger.owned(username, sandboxId).map(LearnerSandboxes::summary);
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
