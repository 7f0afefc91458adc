package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.SandboxManagerTest.FakeProvisioner;
import dev.servicelab.provisioner.SandboxManagerTest.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue rules over an in-memory provisioner: a full host queues learners instead of refusing
 * them, in order, one entry per learner and lab, and housekeeping starts the head when a slot frees.
 * That a real sandbox starts so is shown by SandboxQueueIT.
 */
class SandboxQueueTest {

    static final Duration IDLE = Duration.ofMinutes(30);

    final FakeProvisioner provisioner = new FakeProvisioner();
    final InMemoryLedger ledger = new InMemoryLedger();
    final ManualClock clock = new ManualClock();
    SandboxManager manager;

    SandboxManager manager(int pool, int total) {
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(pool, 1, total, 1, IDLE, Duration.ofHours(4),
                Duration.ofHours(1), Duration.ofHours(1)), clock);
        manager.start();
        return manager;
    }

    @AfterEach
    void close() {
        manager.close();
    }

    SandboxRecord awaitState(String id, SandboxState state) {
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.find(id).orElseThrow().state() == state);
        return ledger.find(id).orElseThrow();
    }

    /** Moves the clock on a little, as real time passes between learners' requests. */
    void later() {
        clock.now = clock.now.plusSeconds(1);
    }

    @Test
    void aLearnerWhoFindsTheHostFullIsQueuedInsteadOfRefused() {
        manager(0, 1);
        awaitState(manager.acquire("ada", "clusterip", 1).sandboxId(), SandboxState.READY);
        later();
        SandboxRecord bob = manager.acquire("bob", "clusterip", 1);
        later();
        SandboxRecord cyd = manager.acquire("cyd", "nodeport", 1);

        assertThat(bob.state()).isEqualTo(SandboxState.QUEUED);
        assertThat(manager.queuePosition(bob.sandboxId()).orElseThrow().position()).isEqualTo(1);
        assertThat(manager.queuePosition(cyd.sandboxId()).orElseThrow().position()).isEqualTo(2);
        assertThat(provisioner.running).hasSize(1);
    }

    @Test
    void askingAgainKeepsTheSamePlaceInTheQueue() {
        manager(0, 1);
        manager.acquire("ada", "clusterip", 1);
        SandboxRecord first = manager.acquire("bob", "clusterip", 1);
        later();
        SandboxRecord again = manager.acquire("bob", "clusterip", 1);

        assertThat(again.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(ledger.queued()).hasSize(1);
    }

    @Test
    void whenASlotFreesHousekeepingStartsTheHeadOfTheQueueAndTheOthersMoveUp() {
        manager(0, 1);
        SandboxRecord ada = awaitState(manager.acquire("ada", "clusterip", 1).sandboxId(), SandboxState.READY);
        later();
        SandboxRecord bob = manager.acquire("bob", "clusterip", 1);
        later();
        SandboxRecord cyd = manager.acquire("cyd", "clusterip", 1);

        manager.housekeepingRound();
        assertThat(ledger.find(bob.sandboxId()).orElseThrow().state()).as("no slot yet").isEqualTo(SandboxState.QUEUED);

        manager.release(ada.sandboxId());
        manager.housekeepingRound();

        SandboxRecord started = awaitState(bob.sandboxId(), SandboxState.READY);
        assertThat(started.owner()).isEqualTo("bob");
        assertThat(started.expiresAt()).isNotNull();
        assertThat(manager.current("bob", "clusterip")).map(SandboxRecord::sandboxId).contains(bob.sandboxId());
        assertThat(manager.queuePosition(cyd.sandboxId()).orElseThrow().position()).isEqualTo(1);
        assertThat(ledger.find(cyd.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.QUEUED);
    }

    @Test
    void aNewcomerWaitsBehindTheQueueEvenWhenTheWarmPoolHasASandbox() {
        manager(1, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.active().stream()
                .anyMatch(r -> r.pooled() && r.state() == SandboxState.READY));
        SandboxRecord ada = awaitState(manager.acquire("ada", "clusterip", 1).sandboxId(), SandboxState.READY);
        SandboxRecord bob = awaitState(manager.acquire("bob", "clusterip", 1).sandboxId(), SandboxState.READY);
        later();
        SandboxRecord cyd = manager.acquire("cyd", "clusterip", 1);
        assertThat(cyd.state()).isEqualTo(SandboxState.QUEUED);

        // Ada leaves: the round refills the pool, and the next round hands that warm sandbox to cyd.
        manager.release(ada.sandboxId());
        manager.housekeepingRound();
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.active().stream()
                .anyMatch(r -> r.pooled() && r.state() == SandboxState.READY));
        later();
        SandboxRecord dan = manager.acquire("dan", "clusterip", 1);
        assertThat(dan.state()).as("cyd was first").isEqualTo(SandboxState.QUEUED);

        later();
        manager.housekeepingRound();
        SandboxRecord cyds = manager.current("cyd", "clusterip").orElseThrow();
        assertThat(awaitState(cyds.sandboxId(), SandboxState.READY).owner()).isEqualTo("cyd");
        assertThat(ledger.latest("cyd", "clusterip").orElseThrow().sandboxId()).isEqualTo(cyds.sandboxId());
        assertThat(manager.queuePosition(dan.sandboxId()).orElseThrow().position()).isEqualTo(1);
        assertThat(bob.state()).isEqualTo(SandboxState.READY);
    }

    @Test
    void aLearnerWhoLeftThePageIsDroppedFromTheQueue() {
        manager(0, 1);
        manager.queueing(Duration.ofMinutes(1));
        manager.acquire("ada", "clusterip", 1);
        SandboxRecord bob = manager.acquire("bob", "clusterip", 1);
        later();
        SandboxRecord cyd = manager.acquire("cyd", "clusterip", 1);

        clock.now = clock.now.plusSeconds(45);
        manager.stillWaiting(ledger.find(cyd.sandboxId()).orElseThrow());
        clock.now = clock.now.plusSeconds(30);
        manager.housekeepingRound();

        SandboxRecord gone = ledger.find(bob.sandboxId()).orElseThrow();
        assertThat(gone.state()).isEqualTo(SandboxState.DELETED);
        assertThat(gone.message()).contains("Left the queue");
        assertThat(manager.queuePosition(cyd.sandboxId()).orElseThrow().position()).isEqualTo(1);
    }

    @Test
    void aPollThatRacesTheStartNeverPutsTheLearnerBackInTheQueue() {
        manager(0, 1);
        SandboxRecord ada = manager.acquire("ada", "clusterip", 1);
        later();
        SandboxRecord asSeenByThePage = manager.acquire("bob", "clusterip", 1);
        manager.release(ada.sandboxId());
        manager.housekeepingRound();
        awaitState(asSeenByThePage.sandboxId(), SandboxState.READY);

        clock.now = clock.now.plusSeconds(10);
        manager.stillWaiting(asSeenByThePage);

        assertThat(ledger.find(asSeenByThePage.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.READY);
        assertThat(ledger.queued()).isEmpty();
    }

    @Test
    void theLearnerCanLeaveTheQueueThemselves() {
        manager(0, 1);
        manager.acquire("ada", "clusterip", 1);
        SandboxRecord bob = manager.acquire("bob", "clusterip", 1);

        manager.release(bob.sandboxId());

        assertThat(ledger.queued()).isEmpty();
        assertThat(manager.queued("bob", "clusterip")).isEmpty();
    }

    @Test
    void theEstimateIsWhenTheSlotIsNextFreeAndGrowsWithThePosition() {
        manager(0, 1);
        awaitState(manager.acquire("ada", "clusterip", 1).sandboxId(), SandboxState.READY);
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        SandboxRecord bob = manager.acquire("bob", "clusterip", 1);
        later();
        SandboxRecord cyd = manager.acquire("cyd", "clusterip", 1);
        clock.now = clock.now.minusSeconds(1);

        // Ada idle for 10 of her 30 minutes: her slot frees in 20 at the latest, then a start (60 s by default).
        assertThat(manager.queuePosition(bob.sandboxId()).orElseThrow().estimatedWait())
                .isEqualTo(Duration.ofMinutes(21));
        // Cyd needs the slot after bob's turn: one more idle timeout.
        assertThat(manager.queuePosition(cyd.sandboxId()).orElseThrow().estimatedWait())
                .isEqualTo(Duration.ofMinutes(51));
    }

    @Test
    void theOwnLimitIsStillRefusedWithItsMessage() {
        manager(0, 1);
        manager.acquire("ada", "clusterip", 1);
        assertThatThrownBy(() -> manager.acquire("ada", "nodeport", 1))
                .isInstanceOf(SandboxException.class).hasMessageContaining("End one");
    }
}
