package dev.servicelab.grading;

import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.grading.Results.LabResult;
import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.grading.Results.StepResult;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalogService;
import dev.servicelab.lab.LabStep;
import dev.servicelab.web.NotFoundException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Computes cohort results from the progress and check tables in three queries per cohort, whatever
 * its size: enrolments, steps, and attempt counts of the cohort's members in the cohort's labs.
 */
@Service
public class ResultsService {

    private record Key(long accountId, String labId) {
    }

    private record StepKey(long accountId, String labId, String stepId) {
    }

    private record Enrolment(Instant startedAt, Instant completedAt) {
    }

    private record StepRow(String status, Instant startedAt, Instant passedAt, int hintsUsed) {
    }

    private record AttemptCount(int all, int failed, Instant last) {
    }

    private static final String MEMBERS_AND_LABS = """
            join cohort_member m on m.account_id = t.account_id and m.cohort_id = :cohort
            join cohort_lab l on l.lab_id = t.lab_id and l.cohort_id = :cohort
            where (cast(:account as bigint) is null or t.account_id = :account)""";

    private final JdbcClient jdbc;
    private final CohortRepository cohorts;
    private final LabCatalogService catalog;

    ResultsService(JdbcClient jdbc, CohortRepository cohorts, LabCatalogService catalog) {
        this.jdbc = jdbc;
        this.cohorts = cohorts;
        this.catalog = catalog;
    }

    /** Every member's results, by username. */
    public List<LearnerResult> results(Cohort cohort) {
        return compute(cohort, cohorts.members(cohort.id()), null);
    }

    /** One member's results; 404 when they are not in the cohort. */
    public LearnerResult learner(Cohort cohort, String username) {
        Cohort.Member member = member(cohort, username);
        return compute(cohort, List.of(member), member.accountId()).get(0);
    }

    public Cohort.Member member(Cohort cohort, String username) {
        return cohorts.members(cohort.id()).stream().filter(m -> m.username().equalsIgnoreCase(username)).findFirst()
                .orElseThrow(() -> new NotFoundException("learner-not-found", "No such learner in the cohort",
                        "'" + username + "' is not a member of cohort " + cohort.id()
                                + ". GET /api/v1/cohorts/" + cohort.id() + "/learners lists its members."));
    }

    /** The same results restricted to some labs: scores, completion and activity count only those. */
    public static LearnerResult restrict(LearnerResult result, List<String> labIds) {
        List<LabResult> labs = result.labs().stream().filter(l -> labIds.contains(l.labId())).toList();
        return learnerResult(result.username(), result.displayName(), result.joinedAt(), labs);
    }

    private List<LearnerResult> compute(Cohort cohort, List<Cohort.Member> members, Long onlyAccount) {
        Map<Key, Enrolment> enrolments = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.started_at, t.completed_at from lab_enrolment t " + MEMBERS_AND_LABS)
                .param("cohort", cohort.id()).param("account", onlyAccount)
                .query((java.sql.ResultSet rs) -> {
                    enrolments.put(new Key(rs.getLong(1), rs.getString(2)),
                            new Enrolment(instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4))));
                });
        Map<StepKey, StepRow> steps = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.step_id, t.status, t.started_at, t.passed_at, t.hints_used from step_progress t "
                + MEMBERS_AND_LABS).param("cohort", cohort.id()).param("account", onlyAccount)
                .query((java.sql.ResultSet rs) -> {
                    steps.put(new StepKey(rs.getLong(1), rs.getString(2), rs.getString(3)), new StepRow(rs.getString(4),
                            instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getInt(7)));
                });
        Map<StepKey, AttemptCount> attempts = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.step_id, count(*), count(*) filter (where not t.passed), max(t.created_at) "
                + "from check_attempt t " + MEMBERS_AND_LABS + " group by 1, 2, 3")
                .param("cohort", cohort.id()).param("account", onlyAccount)
                .query((java.sql.ResultSet rs) -> {
                    attempts.put(new StepKey(rs.getLong(1), rs.getString(2), rs.getString(3)),
                            new AttemptCount(rs.getInt(4), rs.getInt(5), instant(rs.getTimestamp(6))));
                });
        Instant now = Instant.now();
        List<LearnerResult> results = new ArrayList<>();
        for (Cohort.Member member : members) {
            List<LabResult> labs = new ArrayList<>();
            for (Cohort.CohortLab cohortLab : cohort.labs()) {
                Lab lab = catalog.catalog().lab(cohortLab.labId()).orElse(null);
                List<LabStep> labSteps = lab == null ? List.of() : lab.steps();
                Enrolment enrolment = enrolments.get(new Key(member.accountId(), cohortLab.labId()));
                List<StepResult> stepResults = new ArrayList<>();
                int passed = 0;
                int attemptsInLab = 0;
                Instant last = enrolment == null ? null : latest(enrolment.startedAt(), enrolment.completedAt());
                for (LabStep step : labSteps) {
                    StepKey key = new StepKey(member.accountId(), cohortLab.labId(), step.id());
                    StepRow row = steps.get(key);
                    AttemptCount count = attempts.getOrDefault(key, new AttemptCount(0, 0, null));
                    attemptsInLab += count.all();
                    if (row == null) {
                        stepResults.add(new StepResult(step.id(), step.title(), "NOT_STARTED", null, null, null, 0,
                                count.all(), count.failed()));
                    } else {
                        boolean done = "PASSED".equals(row.status());
                        passed += done ? 1 : 0;
                        long seconds = Duration.between(row.startedAt(), done && row.passedAt() != null ? row.passedAt() : now)
                                .toSeconds();
                        stepResults.add(new StepResult(step.id(), step.title(), row.status(), row.startedAt(), row.passedAt(),
                                Math.max(0, seconds), row.hintsUsed(), count.all(), count.failed()));
                        last = latest(last, row.startedAt(), row.passedAt());
                    }
                    last = latest(last, count.last());
                }
                Instant completedAt = enrolment == null ? null : enrolment.completedAt();
                Instant due = cohortLab.dueAt();
                boolean late = due != null && (completedAt == null ? now.isAfter(due) : completedAt.isAfter(due));
                double score = labSteps.isEmpty() ? 0 : round(100.0 * passed / labSteps.size());
                labs.add(new LabResult(cohortLab.labId(), lab == null ? cohortLab.labId() : lab.title(), member.username(),
                        completedAt != null, passed, labSteps.size(), score, cohortLab.weight(), due, late,
                        enrolment == null ? null : enrolment.startedAt(), completedAt, attemptsInLab, last, stepResults));
            }
            results.add(learnerResult(member.username(), member.displayName(), member.joinedAt(), labs));
        }
        return results;
    }

    private static LearnerResult learnerResult(String username, String displayName, Instant joinedAt, List<LabResult> labs) {
        double weights = labs.stream().mapToDouble(LabResult::weight).sum();
        double score = weights == 0 ? 0 : round(labs.stream().mapToDouble(l -> l.score() * l.weight()).sum() / weights);
        int completed = (int) labs.stream().filter(LabResult::completed).count();
        Instant last = labs.stream().map(LabResult::lastActivityAt).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
        return new LearnerResult(username, displayName, joinedAt, score, !labs.isEmpty() && completed == labs.size(), completed,
                labs.size(), labs.stream().mapToInt(LabResult::attempts).sum(), last, labs);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static Instant latest(Instant... instants) {
        return Stream.of(instants).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
