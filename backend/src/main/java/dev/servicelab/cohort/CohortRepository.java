package dev.servicelab.cohort;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import dev.servicelab.security.CohortMembership;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class CohortRepository implements CohortMembership {

    private record Row(long id, String name, long ownerId, String ownerUsername, String joinCode, Instant opensAt,
            Instant closesAt, Instant archivedAt, Instant createdAt) {
    }

    private static final String SELECT = """
            select c.*, a.username as owner_username from cohort c join account a on a.id = c.owner_id""";

    private final JdbcClient jdbc;

    CohortRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(String name, long ownerId, String joinCode, Instant opensAt, Instant closesAt) {
        return jdbc.sql("insert into cohort (name, owner_id, join_code, opens_at, closes_at) values (?, ?, ?, ?, ?) returning id")
                .params(name, ownerId, joinCode, ts(opensAt), ts(closesAt)).query(Long.class).single();
    }

    void update(long id, String name, Instant opensAt, Instant closesAt) {
        jdbc.sql("update cohort set name = ?, opens_at = ?, closes_at = ? where id = ?")
                .params(name, ts(opensAt), ts(closesAt), id).update();
    }

    void replaceLabs(long cohortId, List<Cohort.CohortLab> labs) {
        jdbc.sql("delete from cohort_lab where cohort_id = ?").param(cohortId).update();
        for (Cohort.CohortLab lab : labs) {
            jdbc.sql("insert into cohort_lab (cohort_id, lab_id, position, due_at, weight) values (?, ?, ?, ?, ?)")
                    .params(cohortId, lab.labId(), lab.position(), ts(lab.dueAt()), lab.weight()).update();
        }
    }

    void archive(long id) {
        jdbc.sql("update cohort set archived_at = coalesce(archived_at, now()) where id = ?").param(id).update();
    }

    public Optional<Cohort> find(long id) {
        return withLabs(jdbc.sql(SELECT + " where c.id = ?").param(id).query(CohortRepository::row).list()).stream().findFirst();
    }

    Optional<Cohort> findByJoinCode(String code) {
        return withLabs(jdbc.sql(SELECT + " where upper(c.join_code) = upper(?)").param(code).query(CohortRepository::row).list())
                .stream().findFirst();
    }

    /** Cohorts an instructor owns, newest first; every cohort when {@code ownerId} is null (admins). */
    public List<Cohort> owned(Long ownerId) {
        var rows = ownerId == null ? jdbc.sql(SELECT + " order by c.created_at desc, c.id desc").query(CohortRepository::row).list()
                : jdbc.sql(SELECT + " where c.owner_id = ? order by c.created_at desc, c.id desc").param(ownerId)
                        .query(CohortRepository::row).list();
        return withLabs(rows);
    }

    /** Cohorts the account is a member of. */
    public List<Cohort> joined(long accountId) {
        return withLabs(jdbc.sql(SELECT + " join cohort_member m on m.cohort_id = c.id where m.account_id = ? order by m.joined_at desc")
                .param(accountId).query(CohortRepository::row).list());
    }

    /** Ids of the live (not archived) cohorts in which this learner works on this lab. */
    public List<Long> liveCohortsWith(long accountId, String labId) {
        return jdbc.sql("""
                select c.id from cohort c join cohort_member m on m.cohort_id = c.id
                join cohort_lab l on l.cohort_id = c.id
                where m.account_id = ? and l.lab_id = ? and c.archived_at is null""").params(accountId, labId)
                .query(Long.class).list();
    }

    boolean addMember(long cohortId, long accountId) {
        return jdbc.sql("insert into cohort_member (cohort_id, account_id) values (?, ?) on conflict do nothing")
                .params(cohortId, accountId).update() > 0;
    }

    @Override
    public OptionalLong ownerOf(long cohortId) {
        return jdbc.sql("select owner_id from cohort where id = ?").param(cohortId).query(Long.class).optional()
                .map(OptionalLong::of).orElseGet(OptionalLong::empty);
    }

    @Override
    public boolean teaches(long instructorId, long learnerId) {
        return jdbc.sql("""
                select exists (select 1 from cohort c join cohort_member m on m.cohort_id = c.id
                               where c.owner_id = ? and m.account_id = ?)""")
                .params(instructorId, learnerId).query(Boolean.class).single();
    }

    public boolean isMember(long cohortId, long accountId) {
        return jdbc.sql("select count(*) from cohort_member where cohort_id = ? and account_id = ?").params(cohortId, accountId)
                .query(Long.class).single() > 0;
    }

    public List<Cohort.Member> members(long cohortId) {
        return jdbc.sql("""
                select a.id, a.username, a.display_name, m.joined_at from cohort_member m join account a on a.id = m.account_id
                where m.cohort_id = ? order by lower(a.username)""").param(cohortId)
                .query((rs, n) -> new Cohort.Member(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()))
                .list();
    }

    private List<Cohort> withLabs(List<Row> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<Long, List<Cohort.CohortLab>> labs = new LinkedHashMap<>();
        rows.forEach(r -> labs.put(r.id(), new ArrayList<>()));
        jdbc.sql("select cohort_id, lab_id, position, due_at, weight from cohort_lab where cohort_id = any(?) order by position")
                .param(rows.stream().map(Row::id).toArray(Long[]::new))
                .query((ResultSet rs) -> {
                    labs.get(rs.getLong(1)).add(new Cohort.CohortLab(rs.getString(2), rs.getInt(3), instant(rs.getTimestamp(4)),
                            rs.getDouble(5)));
                });
        return rows.stream().map(r -> new Cohort(r.id(), r.name(), r.ownerId(), r.ownerUsername(), r.joinCode(), r.opensAt(),
                r.closesAt(), r.archivedAt(), r.createdAt(), labs.get(r.id()))).toList();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getLong("id"), rs.getString("name"), rs.getLong("owner_id"), rs.getString("owner_username"),
                rs.getString("join_code"), instant(rs.getTimestamp("opens_at")), instant(rs.getTimestamp("closes_at")),
                instant(rs.getTimestamp("archived_at")), instant(rs.getTimestamp("created_at")));
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
