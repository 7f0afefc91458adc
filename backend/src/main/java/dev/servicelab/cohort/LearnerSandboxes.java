package dev.servicelab.cohort;

import dev.servicelab.sandbox.JdbcSandboxLedger;
import dev.servicelab.provisioner.QueuePosition;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import dev.servicelab.problem.ApiProblem;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.problem.NotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** An instructor's view of and control over their learners' sandboxes in a cohort's labs. */
@Service
public class LearnerSandboxes {

    /**
     * A learner's latest sandbox for a lab, as the dashboard shows it. {@code status} says its state in
     * words ("waiting, number 2 in the queue, ~3 min"); while QUEUED, {@code queuePosition} (1 is next)
     * and {@code queueWaitSeconds} (about when the cluster should be ready) say where the learner
     * stands; while HIBERNATED, {@code wakeSeconds} is about how long waking it takes. They are null
     * otherwise.
     */
    public record SandboxSummary(String sandboxId, String labId, String state, String phase, String status, String message,
            Instant createdAt, Instant expiresAt, Integer queuePosition, Long queueWaitSeconds, Long wakeSeconds) {

        public boolean active() {
            return ACTIVE.contains(state);
        }

        /** Queued or holding a sandbox: what the learner has now rather than what they had. */
        public boolean current() {
            return active() || "QUEUED".equals(state);
        }
    }

    /** A learner's sandbox summary with whose it is, for the dashboard's live updates. */
    public record LearnerSandbox(String username, SandboxSummary sandbox) {
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
        return ledger.latestPerLab(username, cohort.labIds()).stream().map(this::summary).toList();
    }

    /** One of the learner's sandboxes as the dashboard shows it. */
    public Optional<SandboxSummary> summary(String username, String sandboxId) {
        return ledger.owned(username, sandboxId).map(this::summary);
    }

    /**
     * Learners' sandboxes whose words change while their state does not: queued ones (their place and
     * estimate move) and starting ones (their phase moves); only those of learners and labs that
     * {@code shown} accepts (by username and lab id) are summarised.
     */
    public List<LearnerSandbox> inMotion(BiPredicate<String, String> shown) {
        return Stream.concat(ledger.queued().stream(), ledger.active().stream()
                        .filter(r -> !r.pooled() && r.state() == SandboxState.STARTING))
                .filter(r -> shown.test(r.owner(), r.labId()))
                .map(r -> new LearnerSandbox(r.owner(), summary(r))).toList();
    }

    /** Each member's latest sandbox per lab of the cohort, members in the cohort's order. */
    public List<MemberSandboxes> ofMembers(Cohort cohort, List<Cohort.Member> members) {
        return members.stream().map(m -> new MemberSandboxes(m.username(), latest(cohort, m.username()))).toList();
    }

    /** A cohort member's latest sandboxes, one per lab of the cohort they have used. */
    public record MemberSandboxes(String username, List<SandboxSummary> sandboxes) {
    }

    private SandboxSummary summary(SandboxRecord r) {
        SandboxManager m = manager.getIfAvailable();
        QueuePosition queue = m != null && r.state() == SandboxState.QUEUED ? m.queuePosition(r.sandboxId()).orElse(null) : null;
        Integer position = queue == null ? null : queue.position();
        Long wait = queue == null ? null : queue.estimatedWait().toSeconds();
        Long wake = m != null && r.state() == SandboxState.HIBERNATED ? m.typicalStart().toSeconds() : null;
        return new SandboxSummary(r.sandboxId(), r.labId(), r.state().name(), r.phase().name(),
                SandboxWords.describe(r.state().name(), r.phase().name(), position, wait, wake), r.message(), r.createdAt(),
                r.expiresAt(), position, wait, wake);
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
        return summary(username, sandboxId).filter(s -> cohort.hasLab(s.labId()))
                .orElseThrow(() -> new NotFoundException("sandbox-not-found", "No such sandbox", username + " has no sandbox "
                        + sandboxId + " in this cohort's labs. The dashboard lists each learner's sandboxes."));
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
