package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxLedger;
import dev.servicelab.provisioner.SandboxPhase;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Sandbox records in PostgreSQL, so a restarted platform knows whose each running sandbox is. */
@Repository
public class JdbcSandboxLedger implements SandboxLedger {

    /** The advisory lock every platform replica takes to hand out and add sandboxes ("servicelab sandbox"). */
    static final long ALLOCATION_LOCK = 0x5e41ab_5a4db0L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    JdbcSandboxLedger(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Holds a transaction-scoped PostgreSQL advisory lock while {@code work} runs, so replicas sharing
     * this database allocate one at a time; the records it saves commit when the lock is released.
     */
    @Override
    public <T> T exclusively(Supplier<T> work) {
        return transactions.execute(status -> {
            jdbc.sql("select 1 from (select pg_advisory_xact_lock(?)) locked").param(ALLOCATION_LOCK)
                    .query(Integer.class).single();
            return work.get();
        });
    }

    @Override
    public void save(SandboxRecord r) {
        jdbc.sql("""
                insert into sandbox (id, owner, lab_id, nodes, state, phase, message, created_at, last_active_at, expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (id) do update set owner = excluded.owner, lab_id = excluded.lab_id, state = excluded.state,
                  created_at = excluded.created_at,
                  phase = excluded.phase, message = excluded.message, last_active_at = excluded.last_active_at,
                  expires_at = excluded.expires_at""")
                .params(r.sandboxId(), r.owner(), r.labId(), r.nodes(), r.state().name(), r.phase().name(), r.message(),
                        ts(r.createdAt()), ts(r.lastActiveAt()), ts(r.expiresAt()))
                .update();
    }

    @Override
    public Optional<SandboxRecord> find(String sandboxId) {
        return jdbc.sql("select * from sandbox where id = ?").param(sandboxId).query(JdbcSandboxLedger::map).optional();
    }

    @Override
    public List<SandboxRecord> active() {
        return jdbc.sql("select * from sandbox where state in ('STARTING', 'READY', 'FROZEN') order by created_at")
                .query(JdbcSandboxLedger::map).list();
    }

    @Override
    public List<SandboxRecord> queued() {
        return jdbc.sql("select * from sandbox where state = 'QUEUED' order by created_at, id")
                .query(JdbcSandboxLedger::map).list();
    }

    @Override
    public void touch(String sandboxId, Instant at) {
        jdbc.sql("update sandbox set last_active_at = ? where id = ? and state in ('QUEUED', 'STARTING', 'READY') and last_active_at < ?")
                .params(ts(at), sandboxId, ts(at)).update();
    }

    /** Each of a learner's labs' most recent sandbox, for the labs given. */
    public List<SandboxRecord> latestPerLab(String owner, java.util.Collection<String> labIds) {
        return jdbc.sql("select distinct on (lab_id) * from sandbox where owner = ? and lab_id = any(?) "
                + "order by lab_id, created_at desc")
                .params(owner, labIds.toArray(String[]::new)).query(JdbcSandboxLedger::map).list();
    }

    /** A learner's sandbox by id, whatever its state. */
    public Optional<SandboxRecord> owned(String owner, String sandboxId) {
        return jdbc.sql("select * from sandbox where id = ? and owner = ?").params(sandboxId, owner)
                .query(JdbcSandboxLedger::map).optional();
    }

    /** The lab of the learner's most recently used ready sandbox. */
    public Optional<String> mostRecentReadyLab(String owner) {
        return jdbc.sql("select lab_id from sandbox where owner = ? and state = 'READY' order by last_active_at desc limit 1")
                .param(owner).query(String.class).optional();
    }

    /** The most recent sandbox of a learner for a lab, whatever its state (to explain a dead one). */
    @Override
    public Optional<SandboxRecord> latest(String owner, String labId) {
        return jdbc.sql("select * from sandbox where owner = ? and lab_id = ? order by created_at desc limit 1")
                .params(owner, labId).query(JdbcSandboxLedger::map).optional();
    }

    private static SandboxRecord map(ResultSet rs, int row) throws SQLException {
        return new SandboxRecord(rs.getString("id"), rs.getString("owner"), rs.getString("lab_id"), rs.getInt("nodes"),
                SandboxState.valueOf(rs.getString("state")), SandboxPhase.valueOf(rs.getString("phase")),
                rs.getString("message"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("last_active_at")),
                instant(rs.getTimestamp("expires_at")));
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
