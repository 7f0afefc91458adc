package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxSnapshot;
import dev.servicelab.provisioner.SandboxSnapshots;
import java.sql.Timestamp;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Learners' saved clusters in PostgreSQL: one row per learner and lab, the latest. */
@Repository
class JdbcSandboxSnapshots implements SandboxSnapshots {

    private final JdbcClient jdbc;

    JdbcSandboxSnapshots(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Writes only when the content differs from the row kept, so an unchanged cluster costs one small update. */
    @Override
    public boolean save(String owner, String labId, SandboxSnapshot s) {
        int unchanged = jdbc.sql("update sandbox_snapshot set taken_at = ? where owner = ? and lab_id = ? and image = ? "
                + "and content_hash = ?")
                .params(Timestamp.from(s.takenAt()), owner, labId, s.image(), s.contentHash()).update();
        if (unchanged > 0) {
            return false;
        }
        jdbc.sql("""
                insert into sandbox_snapshot (owner, lab_id, image, content, size_bytes, content_hash, taken_at)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (owner, lab_id) do update set image = excluded.image, content = excluded.content,
                  size_bytes = excluded.size_bytes, content_hash = excluded.content_hash, taken_at = excluded.taken_at""")
                .params(owner, labId, s.image(), s.archive(), s.size(), s.contentHash(), Timestamp.from(s.takenAt()))
                .update();
        return true;
    }

    @Override
    public Optional<SandboxSnapshot> latest(String owner, String labId) {
        return jdbc.sql("select image, content, content_hash, taken_at from sandbox_snapshot where owner = ? and lab_id = ?")
                .params(owner, labId)
                .query((rs, n) -> new SandboxSnapshot(rs.getString(1), rs.getBytes(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .optional();
    }

    /** Whether the learner has a saved cluster for the lab (without reading it). */
    boolean exists(String owner, String labId) {
        return jdbc.sql("select exists (select 1 from sandbox_snapshot where owner = ? and lab_id = ?)")
                .params(owner, labId).query(Boolean.class).single();
    }

    @Override
    public void delete(String owner, String labId) {
        jdbc.sql("delete from sandbox_snapshot where owner = ? and lab_id = ?").params(owner, labId).update();
    }
}
