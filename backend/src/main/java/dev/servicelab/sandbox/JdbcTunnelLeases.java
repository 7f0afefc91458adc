package dev.servicelab.sandbox;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tunnels as rows (migration V16): a row means "this sandbox's tunnel runs", and names the replica
 * (holder) that does the work until its lease runs out. Every time is the database's {@code now()},
 * so replicas' clocks need not agree. Taking over is one UPDATE of expired rows: PostgreSQL re-checks
 * the expiry of a row another transaction just took, so of replicas racing for it exactly one wins.
 *
 * <p>Every change commits at once in a transaction of its own, whatever the caller is in (a sandbox
 * ending inside the allocation transaction, say): a lease row locked by an uncommitted change would
 * hold up every replica's renewal until that transaction ends.
 */
@Repository
public class JdbcTunnelLeases {

    private final JdbcClient jdbc;
    private final TransactionTemplate own;
    private final String holder;
    private final long leaseMillis;

    @Autowired
    JdbcTunnelLeases(JdbcClient jdbc, PlatformTransactionManager transactions, TunnelProperties properties) {
        this(jdbc, transactions, replicaName(), properties.lease());
    }

    JdbcTunnelLeases(JdbcClient jdbc, PlatformTransactionManager transactions, String holder, Duration lease) {
        this.jdbc = jdbc;
        this.own = new TransactionTemplate(transactions);
        this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.holder = holder;
        this.leaseMillis = lease.toMillis();
    }

    /** This replica: its host name (the pod's, on Kubernetes) and a random part, new on every start. */
    private static String replicaName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "replica");
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Who holds leases as this replica. */
    public String holder() {
        return holder;
    }

    /**
     * Asks for the sandbox's tunnel to run, held by this replica unless another replica holds a lease
     * that has not run out. True when this replica holds it now.
     */
    boolean start(String sandboxId) {
        return own.execute(status -> !jdbc.sql("""
                insert into tunnel_lease (sandbox_id, holder, lease_until) values (?, ?, now() + ? * interval '1 millisecond')
                on conflict (sandbox_id) do update set holder = excluded.holder, lease_until = excluded.lease_until
                  where tunnel_lease.lease_until < now() or tunnel_lease.holder = excluded.holder
                returning sandbox_id""").params(sandboxId, holder, leaseMillis).query(String.class).list().isEmpty());
    }

    /** The tunnel no longer runs, whoever held it. True if it was running. */
    boolean stop(String sandboxId) {
        return own.execute(status -> jdbc.sql("delete from tunnel_lease where sandbox_id = ?").param(sandboxId).update() > 0);
    }

    /** Whether the sandbox's tunnel runs (on any replica): the same answer everywhere. */
    boolean running(String sandboxId) {
        return jdbc.sql("select exists (select 1 from tunnel_lease where sandbox_id = ?)").param(sandboxId)
                .query(Boolean.class).single();
    }

    /**
     * Renews every lease this replica still holds, and answers which those are: a tunnel stopped
     * elsewhere, or taken over after this replica failed to renew in time, is no longer among them.
     */
    Set<String> renew() {
        return own.execute(status -> ids(jdbc.sql("""
                update tunnel_lease set lease_until = now() + ? * interval '1 millisecond' where holder = ?
                returning sandbox_id""").params(leaseMillis, holder).query(String.class).list()));
    }

    /** Takes over every tunnel whose lease ran out, and answers which this replica won. */
    Set<String> takeOverExpired() {
        return own.execute(status -> ids(jdbc.sql("""
                update tunnel_lease set holder = ?, lease_until = now() + ? * interval '1 millisecond'
                where lease_until < now() returning sandbox_id""").params(holder, leaseMillis).query(String.class).list()));
    }

    /** Hands this replica's tunnels over (it is stopping): another replica takes them at its next tick. */
    int release() {
        return own.execute(status -> jdbc.sql("update tunnel_lease set lease_until = now() where holder = ?").param(holder)
                .update());
    }

    private static Set<String> ids(Collection<String> ids) {
        return ids.stream().collect(Collectors.toUnmodifiableSet());
    }
}
