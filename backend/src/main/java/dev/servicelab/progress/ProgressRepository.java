package dev.servicelab.progress;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ProgressRepository {

    record Enrolment(Instant startedAt, Instant completedAt) {
    }

    record StepRow(String stepId, StepStatus status, Instant startedAt, Instant passedAt, int hintsUsed) {
    }

    private final JdbcClient jdbc;

    ProgressRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Enrolment> enrolment(long accountId, String labId) {
        return jdbc.sql("select started_at, completed_at from lab_enrolment where account_id = ? and lab_id = ?")
                .params(accountId, labId)
                .query((rs, n) -> new Enrolment(rs.getTimestamp(1).toInstant(),
                        rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant()))
                .optional();
    }

    List<String> enrolledLabs(long accountId) {
        return jdbc.sql("select lab_id from lab_enrolment where account_id = ?").param(accountId).query(String.class).list();
    }

    void enrol(long accountId, String labId) {
        jdbc.sql("insert into lab_enrolment (account_id, lab_id) values (?, ?) on conflict do nothing")
                .params(accountId, labId).update();
    }

    List<StepRow> steps(long accountId, String labId) {
        return jdbc.sql("""
                select step_id, status, started_at, passed_at, hints_used from step_progress
                where account_id = ? and lab_id = ?""").params(accountId, labId)
                .query((rs, n) -> new StepRow(rs.getString(1), StepStatus.valueOf(rs.getString(2)),
                        rs.getTimestamp(3).toInstant(), rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(),
                        rs.getInt(5)))
                .list();
    }

    void startStep(long accountId, String labId, String stepId) {
        jdbc.sql("""
                insert into step_progress (account_id, lab_id, step_id, status) values (?, ?, ?, 'IN_PROGRESS')
                on conflict do nothing""").params(accountId, labId, stepId).update();
    }

    void passStep(long accountId, String labId, String stepId) {
        jdbc.sql("""
                insert into step_progress (account_id, lab_id, step_id, status, passed_at) values (?, ?, ?, 'PASSED', now())
                on conflict (account_id, lab_id, step_id) do update set status = 'PASSED',
                  passed_at = coalesce(step_progress.passed_at, now())""").params(accountId, labId, stepId).update();
    }

    int useHint(long accountId, String labId, String stepId) {
        return jdbc.sql("""
                insert into step_progress (account_id, lab_id, step_id, status, hints_used) values (?, ?, ?, 'IN_PROGRESS', 1)
                on conflict (account_id, lab_id, step_id) do update set hints_used = step_progress.hints_used + 1
                returning hints_used""").params(accountId, labId, stepId).query(Integer.class).single();
    }

    void completeLab(long accountId, String labId) {
        jdbc.sql("update lab_enrolment set completed_at = coalesce(completed_at, now()) where account_id = ? and lab_id = ?")
                .params(accountId, labId).update();
    }
}
