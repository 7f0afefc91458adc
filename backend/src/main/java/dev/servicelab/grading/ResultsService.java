package dev.servicelab.grading;

import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.grading.Results.LabResult;
import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.grading.Results.Page;
import dev.servicelab.grading.Results.StepResult;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.LabStep;
import dev.servicelab.problem.NotFoundException;
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
 * Computes cohort results from the progress and check tables in three queries, whatever the
 * number of learners: enrolments, steps, and attempt counts of the chosen members in the cohort's
 * labs. The grading API first picks one page of members in SQL ({@link #page}), filters included,
 * so a large cohort is never loaded whole to answer one page.
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

    /** A member on the asked page, and how many members pass the filters in all. */
    private record PageRow(Cohort.Member member, long total) {
    }

    private static final String MEMBERS_AND_LABS = """
            join cohort_member m on m.account_id = t.account_id and m.cohort_id = :cohort
            join cohort_lab l on l.lab_id = t.lab_id and l.cohort_id = :cohort
            where t.account_id = any(:accounts)""";

    /**
     * The members whose results in {@code :labs} pass the filters, one page of them by username, with
     * the number of all that pass. Completion and activity are computed as in {@link #compute}: a
     * learner completed when every counted lab is complete; active since a time when an enrolment,
     * a step or a check attempt in a counted lab happened since then.
     */
    private static final String PAGE = """
            select a.id, a.username, a.display_name, m.joined_at, count(*) over () as total
            from cohort_member m join account a on a.id = m.account_id
            where m.cohort_id = :cohort
              and (cast(:completed as boolean) is null or cast(:completed as boolean) = (:labCount > 0 and :labCount =
                    (select count(*) from lab_enrolment e
                     where e.account_id = m.account_id and e.lab_id = any(:labs) and e.completed_at is not null)))
              and (cast(:since as timestamptz) is null
                   or exists (select 1 from check_attempt c where c.account_id = m.account_id and c.lab_id = any(:labs)
                              and c.created_at >= cast(:since as timestamptz))
                   or exists (select 1 from step_progress s where s.account_id = m.account_id and s.lab_id = any(:labs)
                              and (s.started_at >= cast(:since as timestamptz) or s.passed_at >= cast(:since as timestamptz)))
                   or exists (select 1 from lab_enrolment e where e.account_id = m.account_id and e.lab_id = any(:labs)
                              and (e.started_at >= cast(:since as timestamptz) or e.completed_at >= cast(:since as timestamptz))))
            order by lower(a.username), a.id
            limit :size offset :offset""";

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
        return compute(cohort, cohorts.members(cohort.id()));
    }

    /**
     * One page of the members whose results, counting only the query's labs, pass its filters (by
     * username), with those results restricted to those labs. Paged and filtered in SQL.
     */
    public Page<LearnerResult> page(Cohort cohort, ResultQuery query) {
        List<PageRow> rows = pageOfMembers(cohort, query, query.page());
        if (rows.isEmpty() && query.page() > 0) {
            rows = pageOfMembers(cohort, query, 0); // past the end: no items, but still how many there are
            long total = rows.isEmpty() ? 0 : rows.get(0).total();
            return new Page<>(List.of(), query.page(), query.size(), total, pages(total, query.size()));
        }
        long total = rows.isEmpty() ? 0 : rows.get(0).total();
        List<LearnerResult> items = compute(cohort, rows.stream().map(PageRow::member).toList()).stream()
                .map(r -> restrict(r, query.labs())).toList();
        return new Page<>(items, query.page(), query.size(), total, pages(total, query.size()));
    }

    private List<PageRow> pageOfMembers(Cohort cohort, ResultQuery query, int page) {
        return jdbc.sql(PAGE).param("cohort", cohort.id()).param("labs", query.labs().toArray(String[]::new))
                .param("labCount", query.labs().size()).param("completed", query.completed())
                .param("since", query.since() == null ? null : Timestamp.from(query.since()))
                .param("size", query.size()).param("offset", (long) page * query.size())
                .query((rs, n) -> new PageRow(new Cohort.Member(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()), rs.getLong(5)))
                .list();
    }

    private static int pages(long total, int size) {
        return (int) ((total + size - 1) / size);
    }

    /** One member's results; 404 when they are not in the cohort. */
    public LearnerResult learner(Cohort cohort, String username) {
        return compute(cohort, List.of(member(cohort, username))).get(0);
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

    private List<LearnerResult> compute(Cohort cohort, List<Cohort.Member> members) {
        if (members.isEmpty()) {
            return List.of();
        }
        Long[] accounts = members.stream().map(Cohort.Member::accountId).toArray(Long[]::new);
        Map<Key, Enrolment> enrolments = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.started_at, t.completed_at from lab_enrolment t " + MEMBERS_AND_LABS)
                .param("cohort", cohort.id()).param("accounts", accounts)
                .query((java.sql.ResultSet rs) -> {
                    enrolments.put(new Key(rs.getLong(1), rs.getString(2)),
                            new Enrolment(instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4))));
                });
        Map<StepKey, StepRow> steps = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.step_id, t.status, t.started_at, t.passed_at, t.hints_used from step_progress t "
                + MEMBERS_AND_LABS).param("cohort", cohort.id()).param("accounts", accounts)
                .query((java.sql.ResultSet rs) -> {
                    steps.put(new StepKey(rs.getLong(1), rs.getString(2), rs.getString(3)), new StepRow(rs.getString(4),
                            instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getInt(7)));
                });
        Map<StepKey, AttemptCount> attempts = new HashMap<>();
        jdbc.sql("select t.account_id, t.lab_id, t.step_id, count(*), count(*) filter (where not t.passed), max(t.created_at) "
                + "from check_attempt t " + MEMBERS_AND_LABS + " group by 1, 2, 3")
                .param("cohort", cohort.id()).param("accounts", accounts)
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
                List<LabStep> labSteps = lab == null ? List.of() : lab.forLearner(member.accountId()).steps();
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
