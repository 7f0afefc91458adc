package dev.servicelab.grading;

import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.cohort.Cohort;
import dev.servicelab.grading.CohortAnalytics.FailureCount;
import dev.servicelab.grading.CohortAnalytics.StepStats;
import dev.servicelab.grading.Results.LabResult;
import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.grading.Results.StepResult;
import dev.servicelab.lab.LabStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

@Service
public class AnalyticsService {

    private static final int TOP = 10;

    private final ResultsService results;
    private final JdbcClient jdbc;
    private final LabCatalogService catalog;

    AnalyticsService(ResultsService results, JdbcClient jdbc, LabCatalogService catalog) {
        this.results = results;
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    public CohortAnalytics analytics(Cohort cohort) {
        List<LearnerResult> learners = results.results(cohort);
        List<StepStats> steps = new ArrayList<>();
        for (int labIndex = 0; labIndex < cohort.labs().size(); labIndex++) {
            int li = labIndex;
            List<LabResult> labs = learners.stream().map(l -> l.labs().get(li)).toList();
            if (labs.isEmpty()) {
                continue;
            }
            // By step id, not position: in a lab with a fault pool each learner has their own faults, and a
            // fault's figures count only the learners who drew it.
            Map<String, List<StepResult>> byStep = new LinkedHashMap<>();
            labs.forEach(l -> l.steps().forEach(r -> byStep.computeIfAbsent(r.stepId(), id -> new ArrayList<>()).add(r)));
            // In the lab's own order (its steps, then its whole pool), whoever drew what.
            List<String> order = catalog.catalog().lab(cohort.labs().get(li).labId())
                    .map(lab -> lab.withAllFaults().steps().stream().map(LabStep::id).toList()).orElse(List.of());
            List<List<StepResult>> ordered = new ArrayList<>(byStep.values());
            ordered.sort(Comparator.comparingInt(rows -> order.indexOf(rows.get(0).stepId())));
            for (List<StepResult> rows : ordered) {
                StepResult first = rows.get(0);
                List<StepResult> started = rows.stream().filter(r -> !"NOT_STARTED".equals(r.status())).toList();
                List<StepResult> passed = started.stream().filter(r -> "PASSED".equals(r.status())).toList();
                steps.add(new StepStats(cohort.labs().get(li).labId(), first.stepId(), first.title(),
                        started.size(), passed.size(), round(100.0 * passed.size() / rows.size()),
                        meanMinutes(passed), started.size() - passed.size(), meanMinutes(started),
                        rows.stream().mapToInt(StepResult::hintsUsed).sum(), rows.stream().mapToInt(StepResult::failedAttempts).sum()));
            }
        }
        List<StepStats> stuck = steps.stream().filter(s -> s.meanMinutesSpent() != null)
                .sorted(Comparator.comparing(StepStats::meanMinutesSpent).reversed()).limit(TOP).toList();
        return new CohortAnalytics(cohort.id(), learners.size(), steps, stuck, failures(cohort));
    }

    /** The cohort's analytics as one CSV row per step, for spreadsheets. */
    public String csv(Cohort cohort) {
        CohortAnalytics analytics = analytics(cohort);
        StringBuilder csv = new StringBuilder("lab,step,title,learners,started,passed,completion_percent,"
                + "mean_minutes_to_pass,in_progress,mean_minutes_spent,hints_used,failed_attempts,most_common_failure,"
                + "most_common_failure_count\r\n");
        for (StepStats s : analytics.steps()) {
            FailureCount top = analytics.commonFailures().stream()
                    .filter(f -> f.labId().equals(s.labId()) && f.stepId().equals(s.stepId())).findFirst().orElse(null);
            csv.append(String.join(",", cell(s.labId()), cell(s.stepId()), cell(s.title()), String.valueOf(analytics.learners()),
                    String.valueOf(s.started()), String.valueOf(s.passed()), String.valueOf(s.completionPercent()),
                    number(s.meanMinutesToPass()), String.valueOf(s.inProgress()), number(s.meanMinutesSpent()),
                    String.valueOf(s.hintsUsed()), String.valueOf(s.failedAttempts()), cell(top == null ? "" : top.message()),
                    top == null ? "0" : String.valueOf(top.count()))).append("\r\n");
        }
        return csv.toString();
    }

    private List<FailureCount> failures(Cohort cohort) {
        return jdbc.sql("""
                select a.lab_id, a.step_id, a.message, count(*), count(distinct a.account_id) from check_attempt a
                join cohort_member m on m.account_id = a.account_id and m.cohort_id = ?
                join cohort_lab l on l.lab_id = a.lab_id and l.cohort_id = m.cohort_id
                where not a.passed and a.message is not null
                group by 1, 2, 3 order by 4 desc, 5 desc, 1, 2 limit ?""").params(cohort.id(), 50)
                .query((rs, n) -> new FailureCount(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5)))
                .list();
    }

    private static Double meanMinutes(List<StepResult> rows) {
        return rows.stream().map(StepResult::secondsSpent).filter(Objects::nonNull).mapToLong(Long::longValue).average()
                .stream().map(seconds -> round(seconds / 60.0)).boxed().findFirst().orElse(null);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static String number(Double value) {
        return value == null ? "" : String.valueOf(value);
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is defused so spreadsheets do not run it as a formula. */
    static String cell(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        boolean quote = v.chars().anyMatch(c -> c == '"' || c == ',' || c == '\r' || c == '\n');
        return quote ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
