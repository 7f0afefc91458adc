package dev.servicelab.cohort;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Cohorts' scheduled sessions, and who of their learners still needs a sandbox. */
@Repository
class CohortSessionRepository {

    private final JdbcClient jdbc;
    private final SessionProperties properties;

    CohortSessionRepository(JdbcClient jdbc, SessionProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    CohortSession insert(long cohortId, String labId, Instant startsAt) {
        return jdbc.sql("insert into cohort_session (cohort_id, lab_id, starts_at) values (?, ?, ?) returning *")
                .params(cohortId, labId, CohortRepository.ts(startsAt)).query(this::row).single();
    }

    List<CohortSession> of(long cohortId) {
        return jdbc.sql("select * from cohort_session where cohort_id = ? order by starts_at, id").param(cohortId)
                .query(this::row).list();
    }

    Optional<CohortSession> find(long cohortId, long sessionId) {
        return jdbc.sql("select * from cohort_session where cohort_id = ? and id = ?").params(cohortId, sessionId)
                .query(this::row).optional();
    }

    void delete(long sessionId) {
        jdbc.sql("delete from cohort_session where id = ?").param(sessionId).update();
    }

    /** A session in its pre-warm window: its lab, and who of its learners has no saved cluster of it. */
    record Expected(long sessionId, String labId, List<String> usernames) {
    }

    /**
     * The sessions of live cohorts whose pre-warm window holds {@code now} and whose lab is one of
     * {@code labIds}, each with its learners who have no saved cluster of the lab (theirs is restored,
     * not taken from the pool). Who already has a sandbox is the sandbox ledger's to say.
     */
    List<Expected> expected(Instant now, Duration lead, Collection<String> labIds) {
        Map<Long, Expected> sessions = new LinkedHashMap<>();
        jdbc.sql("""
                select s.id, s.lab_id, a.username from cohort_session s
                join cohort c on c.id = s.cohort_id and c.archived_at is null
                join cohort_member m on m.cohort_id = s.cohort_id
                join account a on a.id = m.account_id
                where s.starts_at > ? and s.starts_at <= ? and s.lab_id = any(?)
                  and not exists (select 1 from sandbox_snapshot p where p.owner = a.username and p.lab_id = s.lab_id)
                order by s.id""")
                .params(CohortRepository.ts(now.minus(lead)), CohortRepository.ts(now.plus(lead)), labIds.toArray(String[]::new))
                .query((ResultSet rs) -> {
                    String labId = rs.getString("lab_id");
                    sessions.computeIfAbsent(rs.getLong("id"), id -> new Expected(id, labId, new ArrayList<>()))
                            .usernames().add(rs.getString("username"));
                });
        return List.copyOf(sessions.values());
    }

    private CohortSession row(ResultSet rs, int n) throws SQLException {
        Instant startsAt = rs.getTimestamp("starts_at").toInstant();
        return new CohortSession(rs.getLong("id"), rs.getLong("cohort_id"), rs.getString("lab_id"), startsAt,
                rs.getTimestamp("created_at").toInstant(), startsAt.minus(properties.prewarmLead()),
                startsAt.plus(properties.prewarmLead()));
    }
}
