package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.SandboxManagerTest.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hibernation rules (freeze, save, remove, restore, make room) over an in-memory provisioner.
 * That real sandboxes keep the learner's objects through them is shown by HibernationIT.
 */
class HibernationManagerTest {

    static final String IMAGE = "servicelab/kube-node:test";

    /** Sandboxes as map entries whose "cluster" is a counter of the learner's changes. */
    static final class FreezingProvisioner implements SandboxProvisioner {
        enum Status { RUNNING, FROZEN, DEAD }

        final Map<String, Status> sandboxes = new ConcurrentHashMap<>();
        final Map<String, Integer> changes = new ConcurrentHashMap<>();
        final List<SandboxRequest> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger snapshotsTaken = new AtomicInteger();
        /** How many of the next restores fail as if the node stopped while starting from the snapshot. */
        final AtomicInteger failingRestores = new AtomicInteger();
        /** False for a provisioner that saves and restores but cannot pause (sandboxes as Kubernetes pods). */
        volatile boolean pauses = true;
        /** Freezes asked of a provisioner that cannot pause: the manager must not ask. */
        final AtomicInteger refusedFreezes = new AtomicInteger();
        /** Runs as a save begins: e.g. another platform replica saving and removing the same sandbox first. */
        volatile java.util.function.Consumer<String> beforeSnapshot = id -> { };

        @Override
        public Sandbox create(SandboxRequest request, SandboxProgress progress) {
            requests.add(request);
            if (request.restoring()) {
                request.snapshot().requireCompatibleWith(IMAGE);
                if (failingRestores.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new SandboxException(SandboxException.Reason.START_FAILED,
                            "The sandbox node stopped while starting. Its last log lines:\nfatal: ...");
                }
                changes.put(request.sandboxId(), Integer.parseInt(new String(request.snapshot().archive(), StandardCharsets.UTF_8)));
            }
            sandboxes.put(request.sandboxId(), Status.RUNNING);
            return new Sandbox(request.sandboxId(), request.owner(), request.labId(), "kubeconfig", List.of(), Instant.now());
        }

        @Override
        public List<SandboxStatus> list() {
            return sandboxes.entrySet().stream().map(e -> new SandboxStatus(e.getKey(), null, null,
                    e.getValue() == Status.RUNNING, Instant.EPOCH, e.getValue() == Status.FROZEN)).toList();
        }

        @Override
        public Optional<Sandbox> attach(String id) {
            return sandboxes.get(id) == Status.RUNNING
                    ? Optional.of(new Sandbox(id, null, null, "kubeconfig", List.of(), Instant.now())) : Optional.empty();
        }

        @Override
        public boolean isAlive(String id) {
            return sandboxes.get(id) == Status.RUNNING;
        }

        @Override
        public boolean canHibernate() {
            return true;
        }

        @Override
        public boolean canFreeze() {
            return pauses;
        }

        @Override
        public void freeze(String id) {
            if (!pauses) {
                refusedFreezes.incrementAndGet();
                throw new UnsupportedOperationException("This provisioner cannot freeze sandboxes");
            }
            sandboxes.replace(id, Status.RUNNING, Status.FROZEN);
        }

        @Override
        public void thaw(String id) {
            sandboxes.replace(id, Status.FROZEN, Status.RUNNING);
        }

        @Override
        public SandboxSnapshot snapshot(String id) {
            beforeSnapshot.accept(id);
            if (sandboxes.get(id) == null || sandboxes.get(id) == Status.DEAD) {
                throw new SandboxException(SandboxException.Reason.DEAD, "gone");
            }
            snapshotsTaken.incrementAndGet();
            String content = Integer.toString(changes.getOrDefault(id, 0));
            return new SandboxSnapshot(IMAGE, content.getBytes(StandardCharsets.UTF_8), content, Instant.now());
        }

        @Override
        public void delete(String id) {
            sandboxes.remove(id);
        }

        void learnerChanges(String id) {
            changes.merge(id, 1, Integer::sum);
        }
    }

    final FreezingProvisioner provisioner = new FreezingProvisioner();
    final InMemoryLedger ledger = new InMemoryLedger();
    final InMemorySnapshots snapshots = new InMemorySnapshots();
    final ManualClock clock = new ManualClock();
    final AtomicInteger labSetups = new AtomicInteger();
    SandboxManager manager;

    SandboxManager manager(int total) {
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(0, 1, total, 1, Duration.ofMinutes(30),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(1)), clock);
        manager.preparer((record, sandbox) -> labSetups.incrementAndGet());
        manager.hibernation(new Hibernation(Duration.ofMinutes(5), Duration.ofMinutes(20), Duration.ofMinutes(3)), snapshots);
        return manager;
    }

    @AfterEach
    void close() {
        manager.close();
    }

    SandboxRecord ready(SandboxRecord record) {
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.find(record.sandboxId()).orElseThrow().state()
                != SandboxState.STARTING);
        return ledger.find(record.sandboxId()).orElseThrow();
    }

    void idle(Duration duration) {
        clock.now = clock.now.plus(duration);
    }

    @Test
    void anIdleSandboxIsFrozenAndTheLearnerReturningResumesTheSameOne() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));

        idle(Duration.ofMinutes(6));
        manager.hibernationRound();
        assertThat(ledger.find(first.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.FROZEN);
        assertThat(provisioner.sandboxes).containsEntry(first.sandboxId(), FreezingProvisioner.Status.FROZEN);

        SandboxRecord back = manager.acquire("ada", "nodeport", 1);
        assertThat(back.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(back.state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.sandboxes).containsEntry(first.sandboxId(), FreezingProvisioner.Status.RUNNING);
    }

    @Test
    void aSandboxAwayLongerIsSavedAndRemovedAndComesBackFromItsSnapshotWithoutReplayingTheLab() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        provisioner.learnerChanges(first.sandboxId());
        assertThat(labSetups).hasValue(1);

        idle(Duration.ofMinutes(6));
        manager.hibernationRound();
        idle(Duration.ofMinutes(15));
        manager.hibernationRound();
        SandboxRecord hibernated = ledger.find(first.sandboxId()).orElseThrow();
        assertThat(hibernated.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(hibernated.message()).contains("wakes your cluster");
        assertThat(provisioner.sandboxes).doesNotContainKey(first.sandboxId());
        assertThat(snapshots.latest("ada", "nodeport")).isPresent();

        SandboxRecord waking = manager.acquire("ada", "nodeport", 1);
        assertThat(waking.phase()).isEqualTo(SandboxPhase.WAKING);
        SandboxRecord restored = ready(waking);
        assertThat(restored.state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.changes).containsEntry(restored.sandboxId(), 1);
        assertThat(labSetups).as("a restored cluster needs no replay").hasValue(1);
    }

    @Test
    void withAProvisionerThatCannotPauseAnIdleSandboxKeepsRunningPastTheFreezeDelay() {
        provisioner.pauses = false;
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));

        idle(Duration.ofMinutes(6));
        manager.hibernationRound();

        assertThat(ledger.find(first.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.sandboxes).containsEntry(first.sandboxId(), FreezingProvisioner.Status.RUNNING);
        assertThat(provisioner.refusedFreezes).as("the freeze stage is skipped, not tried").hasValue(0);
    }

    @Test
    void withAProvisionerThatCannotPauseAnIdleSandboxIsSavedAndRemovedAtTheHibernateDelayAndRestored() {
        provisioner.pauses = false;
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        provisioner.learnerChanges(first.sandboxId());

        idle(Duration.ofMinutes(6));
        manager.hibernationRound();
        idle(Duration.ofMinutes(15));
        manager.hibernationRound();

        assertThat(ledger.find(first.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(provisioner.sandboxes).doesNotContainKey(first.sandboxId());
        SandboxRecord restored = ready(manager.acquire("ada", "nodeport", 1));
        assertThat(restored.state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.changes).containsEntry(restored.sandboxId(), 1);
        assertThat(labSetups).as("a restored cluster needs no replay").hasValue(1);
    }

    @Test
    void withAProvisionerThatCannotPauseARunningSandboxIsStillSavedPeriodically() {
        provisioner.pauses = false;
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        manager.hibernationRound();
        idle(Duration.ofMinutes(1));
        manager.touch(first.sandboxId());
        idle(Duration.ofMinutes(3));
        manager.hibernationRound();

        assertThat(provisioner.snapshotsTaken).as("saved at first and after the interval with activity").hasValue(2);
    }

    @Test
    void aSandboxAnotherReplicaHibernatedMeanwhileKeepsItsHibernatedRecord() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        provisioner.beforeSnapshot = id -> {
            ledger.save(ledger.find(id).orElseThrow().with(SandboxState.HIBERNATED, SandboxPhase.READY, "saved by the other"));
            provisioner.sandboxes.remove(id);
        };

        idle(Duration.ofMinutes(25));
        manager.hibernationRound();

        SandboxRecord record = ledger.find(first.sandboxId()).orElseThrow();
        assertThat(record.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(record.message()).isEqualTo("saved by the other");
    }

    @Test
    void aRunningSandboxIsSavedPeriodicallyOnlyWhenItsLearnerDidSomething() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        manager.hibernationRound();
        assertThat(provisioner.snapshotsTaken).as("first round saves once").hasValue(1);

        idle(Duration.ofMinutes(4));
        manager.hibernationRound();
        assertThat(provisioner.snapshotsTaken).as("no activity since the last save").hasValue(1);

        manager.touch(first.sandboxId());
        idle(Duration.ofMinutes(1));
        manager.hibernationRound();
        assertThat(provisioner.snapshotsTaken).as("activity, and the interval has passed").hasValue(2);
    }

    @Test
    void aDeadNodeIsRestoredFromItsLastSnapshotWithTheLabReplayedOnTopAsTheSnapshotMayBeOlder() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        provisioner.learnerChanges(first.sandboxId());
        manager.hibernationRound(); // periodic save
        provisioner.sandboxes.put(first.sandboxId(), FreezingProvisioner.Status.DEAD);
        manager.housekeepingRound();
        assertThat(ledger.find(first.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.DEAD);

        SandboxRecord restored = ready(manager.acquire("ada", "nodeport", 1));
        assertThat(restored.state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.requests.get(provisioner.requests.size() - 1).restoring()).isTrue();
        assertThat(provisioner.changes).containsEntry(restored.sandboxId(), 1);
        assertThat(labSetups).as("passed steps since the snapshot are not lost").hasValue(2);
    }

    @Test
    void aDeadNodesRestoredClusterSaysItWasRestoredFromTheSnapshot() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        provisioner.learnerChanges(first.sandboxId());
        manager.hibernationRound(); // periodic save
        provisioner.sandboxes.put(first.sandboxId(), FreezingProvisioner.Status.DEAD);
        manager.housekeepingRound();

        SandboxRecord restored = ready(manager.acquire("ada", "nodeport", 1));
        assertThat(restored.message()).startsWith("Restored from your cluster saved at ")
                .contains("passed steps replayed on top");
    }

    @Test
    void atTheLimitTheLongestIdleLearnerIsHibernatedToMakeRoom() {
        manager(2);
        SandboxRecord ada = ready(manager.acquire("ada", "nodeport", 1));
        idle(Duration.ofMinutes(2));
        SandboxRecord bob = ready(manager.acquire("bob", "nodeport", 1));
        idle(Duration.ofMinutes(6));

        SandboxRecord cid = ready(manager.acquire("cid", "nodeport", 1));

        assertThat(cid.state()).isEqualTo(SandboxState.READY);
        assertThat(ledger.find(ada.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(ledger.find(bob.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.READY);
        assertThat(snapshots.latest("ada", "nodeport")).isPresent();
    }

    @Test
    void aSnapshotFromAnotherImageFailsClearlyAndTheNextStartReplaysTheLab() {
        manager(4);
        snapshots.save("ada", "nodeport", new SandboxSnapshot("servicelab/kube-node:older", "3".getBytes(StandardCharsets.UTF_8),
                "3", Instant.now()));

        SandboxRecord refused = ready(manager.acquire("ada", "nodeport", 1));
        assertThat(refused.state()).isEqualTo(SandboxState.FAILED);
        assertThat(refused.message()).contains("servicelab/kube-node:older").contains("Start a fresh cluster");

        SandboxRecord fresh = ready(manager.acquire("ada", "nodeport", 1));
        assertThat(fresh.state()).isEqualTo(SandboxState.READY);
        assertThat(labSetups).as("the lab's setup and passed steps are replayed").hasValue(1);
    }

    /** Ada's saved cluster holds 3 changes; the first {@code failing} restores of it stop while starting. */
    SandboxRecord startFromASnapshotWhoseFirstRestoresFail(int failing) {
        manager(4);
        snapshots.save("ada", "nodeport", new SandboxSnapshot(IMAGE, "3".getBytes(StandardCharsets.UTF_8), "3", Instant.now()));
        provisioner.failingRestores.set(failing);
        return ready(manager.acquire("ada", "nodeport", 1));
    }

    @Test
    void aRestoreWhoseNodeStopsWhileStartingIsTriedOnceMore() {
        SandboxRecord restored = startFromASnapshotWhoseFirstRestoresFail(1);

        assertThat(restored.state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.requests).filteredOn(SandboxRequest::restoring).hasSize(2);
        assertThat(provisioner.changes).as("the learner's own cluster is back").containsEntry(restored.sandboxId(), 3);
    }

    @Test
    void aSnapshotThatWillNotRestoreGivesAFreshClusterWithTheLabReplayedAndSaysSo() {
        SandboxRecord fresh = startFromASnapshotWhoseFirstRestoresFail(2);

        assertThat(fresh.state()).isEqualTo(SandboxState.READY);
        assertThat(fresh.message()).contains("could not be restored (The sandbox node stopped while starting.")
                .contains("passed steps replayed").doesNotContain("fatal");
        assertThat(labSetups).hasValue(1);
        assertThat(snapshots.latest("ada", "nodeport")).as("kept for a later try").isPresent();
    }

    @Test
    void aLearnerOpeningAnotherLabHasTheirLastOneSavedInsteadOfBeingRefused() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));

        SandboxRecord second = ready(manager.acquire("ada", "clusterip", 1));

        assertThat(second.state()).isEqualTo(SandboxState.READY);
        assertThat(ledger.find(first.sandboxId()).orElseThrow().state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(snapshots.latest("ada", "nodeport")).isPresent();
    }

    @Test
    void endingASandboxForgetsItsSnapshotSoTheNextOneStartsFresh() {
        manager(4);
        SandboxRecord first = ready(manager.acquire("ada", "nodeport", 1));
        manager.hibernationRound();
        assertThat(snapshots.latest("ada", "nodeport")).isPresent();

        manager.release(first.sandboxId());

        assertThat(snapshots.latest("ada", "nodeport")).isEmpty();
    }
}
