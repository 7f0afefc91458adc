package dev.servicelab.check;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
public class CheckAttemptRepository {

    /** A stored attempt, newest first when listed. */
    public record Attempt(long id, String labId, String stepId, boolean passed, String message, int durationMs,
            java.time.Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    CheckAttemptRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void record(long accountId, String sandboxId, StepReport report) {
        jdbc.sql("""
                insert into check_attempt (account_id, lab_id, step_id, sandbox_id, passed, message, results, duration_ms, created_at)
                values (?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)""")
                .params(accountId, report.labId(), report.stepId(), sandboxId, report.passed(), report.firstFailure(),
                        json.writeValueAsString(report.results()), (int) report.millis(),
                        java.sql.Timestamp.from(report.checkedAt()))
                .update();
    }

    public List<Attempt> attempts(long accountId, String labId) {
        return jdbc.sql("""
                select id, lab_id, step_id, passed, message, duration_ms, created_at from check_attempt
                where account_id = ? and lab_id = ? order by created_at desc, id desc""").params(accountId, labId)
                .query((rs, n) -> new Attempt(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant()))
                .list();
    }
}
