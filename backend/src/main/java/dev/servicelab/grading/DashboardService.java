package dev.servicelab.grading;

import dev.servicelab.cohort.LearnerSandboxes;
import dev.servicelab.cohort.Cohort;

import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

@Service
class DashboardService {

    private static final int RECENT_ATTEMPTS = 15;

    private final ResultsService results;
    private final AnalyticsService analytics;
    private final LearnerSandboxes sandboxes;
    private final LabCatalogService catalog;
    private final JdbcClient jdbc;

    DashboardService(ResultsService results, AnalyticsService analytics, LearnerSandboxes sandboxes, LabCatalogService catalog,
            JdbcClient jdbc) {
        this.results = results;
        this.analytics = analytics;
        this.sandboxes = sandboxes;
        this.catalog = catalog;
        this.jdbc = jdbc;
    }

    Dashboard dashboard(Cohort cohort) {
        List<Lab> labs = cohort.labIds().stream().map(id -> catalog.catalog().lab(id).orElse(null)).filter(Objects::nonNull).toList();
        List<Dashboard.LearnerPanel> learners = results.results(cohort).stream()
                .map(r -> new Dashboard.LearnerPanel(r, attempts(cohort, r), sandboxes.latest(cohort, r.username()))).toList();
        return new Dashboard(cohort, labs, learners, analytics.analytics(cohort));
    }

    private List<Dashboard.Attempt> attempts(Cohort cohort, LearnerResult learner) {
        return jdbc.sql("""
                select a.lab_id, a.step_id, a.passed, a.message, a.created_at from check_attempt a
                join account u on u.id = a.account_id
                where lower(u.username) = lower(?) and a.lab_id = any(?) order by a.created_at desc, a.id desc limit ?""")
                .params(learner.username(), cohort.labIds().toArray(String[]::new), RECENT_ATTEMPTS)
                .query((rs, n) -> new Dashboard.Attempt(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .list();
    }
}
