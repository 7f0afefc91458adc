package dev.servicelab.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.servicelab.database.DatabaseProperties;
import dev.servicelab.db.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rules of tunnel leases (migration V16) on a real PostgreSQL, replicas played by repositories
 * with holder names of their own. No platform runs here: its tunnel job would take over the expired
 * leases these tests look at.
 */
class JdbcTunnelLeasesTest {

    private static final Duration LEASE = Duration.ofSeconds(10);

    @TempDir
    static Path home;
    static EmbeddedPostgres postgres;
    static JdbcClient jdbc;
    static DataSourceTransactionManager transactions;

    @BeforeAll
    static void startPostgres() {
        Path binaries = new DatabaseProperties(null, null, 0, "leases").effectiveBinariesCache();
        postgres = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(home.resolve("postgres"), binaries, 0, "leases"));
        Flyway.configure().dataSource(postgres.jdbcUrl(), postgres.username(), postgres.password())
                .locations("classpath:db/migration").load().migrate();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(postgres.jdbcUrl(), postgres.username(),
                postgres.password());
        jdbc = JdbcClient.create(dataSource);
        transactions = new DataSourceTransactionManager(dataSource);
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static JdbcTunnelLeases replica(String name, Duration lease) {
        return new JdbcTunnelLeases(jdbc, transactions, name + "-" + UUID.randomUUID().toString().substring(0, 8), lease);
    }

    private static JdbcTunnelLeases replica(String name) {
        return replica(name, LEASE);
    }

    private static String sandbox() {
        return "sb-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static boolean expired(String sandboxId) {
        return jdbc.sql("select lease_until < now() from tunnel_lease where sandbox_id = ?").param(sandboxId)
                .query(Boolean.class).single();
    }

    @Test
    void aStartedTunnelRunsForEveryReplicaAndIsHeldByTheReplicaThatStartedIt() {
        JdbcTunnelLeases a = replica("a");
        JdbcTunnelLeases b = replica("b");
        String sandbox = sandbox();

        assertThat(a.start(sandbox)).isTrue();

        assertThat(a.running(sandbox)).isTrue();
        assertThat(b.running(sandbox)).isTrue();
        assertThat(a.renew()).containsExactly(sandbox);
        assertThat(b.renew()).isEmpty();
    }

    @Test
    void startingATunnelAnotherLiveReplicaHoldsLeavesItWithThatReplica() {
        JdbcTunnelLeases a = replica("a");
        JdbcTunnelLeases b = replica("b");
        String sandbox = sandbox();
        a.start(sandbox);

        assertThat(b.start(sandbox)).isFalse();
        assertThat(a.start(sandbox)).as("the holder starting it again keeps it").isTrue();

        assertThat(a.renew()).containsExactly(sandbox);
        assertThat(b.renew()).isEmpty();
    }

    @Test
    void aLeaseThatIsRenewedIsNeverTakenOver() {
        JdbcTunnelLeases a = replica("a");
        JdbcTunnelLeases b = replica("b");
        String sandbox = sandbox();
        a.start(sandbox);

        assertThat(b.takeOverExpired()).doesNotContain(sandbox);
        assertThat(a.renew()).containsExactly(sandbox);
    }

    @Test
    void anExpiredLeaseIsTakenOverByExactlyOneOfTheReplicasRacingForIt() throws Exception {
        JdbcTunnelLeases crashed = replica("crashed", Duration.ofMillis(200));
        String sandbox = sandbox();
        crashed.start(sandbox);
        await().atMost(Duration.ofSeconds(5)).until(() -> expired(sandbox));

        List<JdbcTunnelLeases> replicas = IntStream.range(0, 6).mapToObj(i -> replica("r" + i)).toList();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(replicas.size());
        try {
            List<Future<Set<String>>> taken = replicas.stream().map(r -> threads.submit(() -> {
                go.await();
                return r.takeOverExpired();
            })).toList();
            go.countDown();

            List<JdbcTunnelLeases> winners = IntStream.range(0, replicas.size())
                    .filter(i -> getQuietly(taken.get(i)).contains(sandbox)).mapToObj(replicas::get).toList();
            assertThat(winners).hasSize(1);
            assertThat(winners.get(0).renew()).contains(sandbox);
        } finally {
            threads.shutdownNow();
        }
        assertThat(crashed.renew()).as("the old holder, back, learns it lost the tunnel").isEmpty();
        assertThat(crashed.running(sandbox)).isTrue();
    }

    @Test
    void aLeaseIsTakenOverOnlyOnceItHasExpired() {
        JdbcTunnelLeases a = replica("a", Duration.ofMillis(500));
        JdbcTunnelLeases b = replica("b");
        String sandbox = sandbox();
        a.start(sandbox);

        assertThat(b.takeOverExpired()).doesNotContain(sandbox);
        await().atMost(Duration.ofSeconds(5)).until(() -> expired(sandbox));
        assertThat(b.takeOverExpired()).contains(sandbox);
        assertThat(b.renew()).contains(sandbox);
    }

    @Test
    void stoppingATunnelEndsItWhicheverReplicaHoldsIt() {
        JdbcTunnelLeases a = replica("a");
        JdbcTunnelLeases b = replica("b");
        String sandbox = sandbox();
        a.start(sandbox);

        assertThat(b.stop(sandbox)).isTrue();

        assertThat(a.running(sandbox)).isFalse();
        assertThat(a.renew()).as("the holder learns it at its next renewal").isEmpty();
        assertThat(b.stop(sandbox)).as("stopping twice").isFalse();
    }

    @Test
    void aReplicaShuttingDownHandsItsTunnelsOverAtOnce() {
        JdbcTunnelLeases stopping = replica("stopping");
        JdbcTunnelLeases other = replica("other");
        String first = sandbox();
        String second = sandbox();
        stopping.start(first);
        stopping.start(second);

        assertThat(stopping.release()).isEqualTo(2);

        assertThat(other.takeOverExpired()).as("no waiting for the lease to run out").contains(first, second);
        assertThat(other.running(first)).isTrue();
        assertThat(stopping.renew()).isEmpty();
    }

    @Test
    void aTunnelEndedInsideACallersTransactionHoldsUpNoRenewal() {
        JdbcTunnelLeases a = replica("a");
        String ending = sandbox();
        String other = sandbox();
        a.start(ending);
        a.start(other);

        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            a.stop(ending); // as a sandbox ending inside the allocation transaction does
            Set<String> renewed = CompletableFuture.supplyAsync(a::renew).orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(renewed).containsExactly(other);
        });
    }

    @Test
    void aLeaseShorterThanTwoRenewalsIsRefused() {
        assertThatThrownBy(() -> new TunnelProperties(Duration.ofSeconds(1)))
                .hasMessageContaining("servicelab.tunnels.lease must be at least 2s");
        assertThat(new TunnelProperties(Duration.ofSeconds(10)).lease()).isEqualTo(LEASE);
    }

    private static Set<String> getQuietly(Future<Set<String>> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
