package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Raising the warm pool for expected demand, within max-total, and shrinking it back afterwards. */
class WarmPoolResizeTest {

    final SandboxManagerTest.FakeProvisioner provisioner = new SandboxManagerTest.FakeProvisioner();
    final InMemoryLedger ledger = new InMemoryLedger();
    final SandboxManagerTest.ManualClock clock = new SandboxManagerTest.ManualClock();
    SandboxManager manager;

    SandboxManager manager(int pool, int total) {
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(pool, 1, total, 2, Duration.ofMinutes(30),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(1)), clock);
        return manager;
    }

    @AfterEach
    void close() {
        manager.close();
    }

    long pooled() {
        return ledger.active().stream().filter(SandboxRecord::pooled).count();
    }

    void awaitReadyPool(int size) {
        long deadline = System.currentTimeMillis() + 5000;
        while (ledger.active().stream().filter(r -> r.pooled() && r.state() == SandboxState.READY).count() != size) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("pool did not become " + size + " ready sandboxes: " + ledger.active());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void theExtraDemandIsStartedOnTopOfTheNormalPool() {
        manager(1, 8).start();
        awaitReadyPool(1);
        manager.resizePool((holders, room) -> 3);
        awaitReadyPool(4);
    }

    @Test
    void theExtraIsToldTheRoomUnderMaxTotalAndNeverExceedsIt() {
        manager(0, 3).start();
        manager.acquire("ada", "clusterip", 1);
        AtomicInteger told = new AtomicInteger(-1);
        manager.resizePool((holders, room) -> {
            told.set(room);
            return 10;
        });
        assertThat(told.get()).as("3 allowed, ada holds one").isEqualTo(2);
        awaitReadyPool(2);
    }

    @Test
    void whenTheDemandHasGoneThePoolShrinksBackToItsNormalSize() {
        manager(1, 8).start();
        manager.resizePool((holders, room) -> 2);
        awaitReadyPool(3);
        manager.resizePool((holders, room) -> 0);
        assertThat(pooled()).isEqualTo(1);
        assertThat(provisioner.running).hasSize(1);
    }

    @Test
    void aLearnerTakesAPreWarmedSandboxAtOnce() {
        manager(0, 8).start();
        manager.resizePool((holders, room) -> 2);
        awaitReadyPool(2);
        SandboxRecord mine = manager.acquire("ada", "clusterip", 1);
        assertThat(mine.phase()).as("handed over from the pool").isEqualTo(SandboxPhase.LAB_SETUP);
        assertThat(pooled()).isEqualTo(1);
    }

    @Test
    void ordinaryHousekeepingNeitherRaisesNorShrinksAPoolRaisedForDemand() {
        manager(0, 8).start();
        manager.resizePool((holders, room) -> 2);
        awaitReadyPool(2);
        manager.housekeepingRound();
        assertThat(pooled()).isEqualTo(2);
    }
}
