package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several platform replicas (one SandboxManager each) over one ledger and one set of sandboxes, as
 * on Kubernetes: no replica reaps or fails what another is creating, and the pool is handed out once.
 */
class SharedSandboxManagerTest {

    /** The shared ledger, slowed down so that unsynchronised replicas would interleave. */
    static final class SlowLedger implements SandboxLedger {
        final InMemoryLedger records = new InMemoryLedger();

        @Override
        public void save(SandboxRecord record) {
            records.save(record);
        }

        @Override
        public Optional<SandboxRecord> find(String sandboxId) {
            return records.find(sandboxId);
        }

        @Override
        public List<SandboxRecord> active() {
            List<SandboxRecord> result = records.active();
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return result;
        }

        @Override
        public List<SandboxRecord> queued() {
            return records.queued();
        }

        @Override
        public <T> T exclusively(Supplier<T> work) {
            return records.exclusively(work);
        }
    }

    static final Duration GRACE = Duration.ofMinutes(6);

    final SandboxManagerTest.FakeProvisioner provisioner = new SandboxManagerTest.FakeProvisioner();
    final SlowLedger ledger = new SlowLedger();
    final SandboxManagerTest.ManualClock clock = new SandboxManagerTest.ManualClock();
    final List<SandboxManager> replicas = new ArrayList<>();

    SandboxManager replica(int pool) {
        SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(pool, 1, 10, 2,
                Duration.ofMinutes(30), Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(1), GRACE), clock);
        replicas.add(manager);
        return manager;
    }

    @AfterEach
    void close() {
        replicas.forEach(SandboxManager::close);
    }

    long pooledReady() {
        return ledger.active().stream().filter(r -> r.pooled() && r.state() == SandboxState.READY).count();
    }

    void awaitPool(int size) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (pooledReady() < size) {
            assertThat(System.currentTimeMillis()).as("pool fills to " + size).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void replicasStartingTogetherFillThePoolOnceNotOncePerReplica() throws Exception {
        SandboxManager a = replica(1);
        SandboxManager b = replica(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> starts = List.of(pool.submit(() -> { go.await(); a.start(); return null; }),
                pool.submit(() -> { go.await(); b.start(); return null; }));
        go.countDown();
        for (Future<?> f : starts) {
            f.get();
        }
        awaitPool(1);
        assertThat(ledger.active().stream().filter(SandboxRecord::pooled)).hasSize(1);
        pool.shutdownNow();
    }

    @Test
    void twoReplicasNeverHandOnePooledSandboxToTwoLearners() throws Exception {
        SandboxManager a = replica(1);
        SandboxManager b = replica(1);
        a.start();
        b.start();
        awaitPool(1);
        String pooled = ledger.active().stream().filter(SandboxRecord::pooled).findFirst().orElseThrow().sandboxId();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        Future<SandboxRecord> ada = pool.submit(() -> { go.await(); return a.acquire("ada", "clusterip", 1); });
        Future<SandboxRecord> bob = pool.submit(() -> { go.await(); return b.acquire("bob", "clusterip", 1); });
        go.countDown();
        String adas = ada.get().sandboxId();
        String bobs = bob.get().sandboxId();
        assertThat(adas).isNotEqualTo(bobs);
        assertThat(List.of(adas, bobs)).contains(pooled);
        assertThat(ledger.find(pooled).orElseThrow().owner()).isIn("ada", "bob");
        pool.shutdownNow();
    }

    @Test
    void aReplicaStartingUpLeavesAnotherReplicasStartingSandboxAlone() {
        // Replica A has saved the record and is creating the node, which does not exist yet.
        Instant now = clock.instant();
        SandboxRecord starting = new SandboxRecord("sb-being-made", "ada", "clusterip", 1, SandboxState.STARTING,
                SandboxPhase.STARTING_CONTAINER, null, now, now, now.plus(Duration.ofHours(1)));
        ledger.save(starting);

        replica(0).start();

        assertThat(ledger.find("sb-being-made").orElseThrow().state()).isEqualTo(SandboxState.STARTING);
    }

    @Test
    void aStartAbandonedLongerThanTheGraceIsFailedAndRemoved() {
        Instant now = clock.instant();
        ledger.save(new SandboxRecord("sb-abandoned", "ada", "clusterip", 1, SandboxState.STARTING,
                SandboxPhase.API_UP, null, now, now, now.plus(Duration.ofHours(1))));
        provisioner.running.put("sb-abandoned", true);
        SandboxManager manager = replica(0);
        manager.start();

        clock.now = clock.now.plus(GRACE).plusSeconds(1);
        manager.housekeepingRound();

        assertThat(ledger.find("sb-abandoned").orElseThrow().state()).isEqualTo(SandboxState.FAILED);
        assertThat(provisioner.running).doesNotContainKey("sb-abandoned");
    }

    @Test
    void aStartLongerThanTheGraceIsLeftAloneWhileItsReplicaIsAlive() throws Exception {
        CountDownLatch nodeUp = new CountDownLatch(1);
        SandboxManagerTest.FakeProvisioner slow = new SandboxManagerTest.FakeProvisioner() {
            @Override
            public Sandbox create(SandboxRequest request, SandboxProgress progress) {
                try {
                    nodeUp.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.create(request, progress);
            }
        };
        SandboxManager a = new SandboxManager(slow, ledger, new SandboxLimits(0, 1, 10, 2, Duration.ofMinutes(30),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(1), GRACE), clock);
        replicas.add(a);
        SandboxManager b = replica(0);
        String id = a.acquire("ada", "clusterip", 1).sandboxId();

        // A keeps starting it through rounds that span more than the grace, and says so each round.
        for (int minute = 0; minute < 8; minute++) {
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            a.housekeepingRound();
            b.housekeepingRound();
        }
        assertThat(ledger.find(id).orElseThrow().state()).as("a live replica's slow start").isEqualTo(SandboxState.STARTING);

        // A stops (a crash: no more rounds); B takes the start for abandoned once the grace has passed.
        clock.now = clock.now.plus(GRACE).plusSeconds(1);
        b.housekeepingRound();
        assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(SandboxState.FAILED);
        nodeUp.countDown();
    }

    @Test
    void aFreshUnrecordedSandboxIsNotReapedButAnOldOneIs() {
        provisioner.running.put("sb-just-created", true);
        provisioner.created.put("sb-just-created", clock.instant().minusSeconds(5));
        provisioner.running.put("sb-left-over", true);
        provisioner.created.put("sb-left-over", clock.instant().minus(GRACE).minusSeconds(1));

        replica(0).start();

        assertThat(provisioner.running).containsKey("sb-just-created").doesNotContainKey("sb-left-over");
    }
}
