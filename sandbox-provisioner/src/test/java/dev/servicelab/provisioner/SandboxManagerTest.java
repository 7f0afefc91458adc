package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle rules (pool, limits, expiry, death, reconcile) over an in-memory provisioner. That
 * real sandboxes behave so is shown by SandboxLifecycleIT; this pins the rules themselves.
 */
class SandboxManagerTest {

    /** Sandboxes that exist only as entries in a map, created instantly. */
    static final class FakeProvisioner implements SandboxProvisioner {
        final Map<String, Boolean> running = new ConcurrentHashMap<>();
        final Map<String, Instant> created = new ConcurrentHashMap<>();
        final Map<String, SandboxRequest> requests = new ConcurrentHashMap<>();

        @Override
        public Sandbox create(SandboxRequest request, SandboxProgress progress) {
            requests.put(request.sandboxId(), request);
            progress.reached(request.sandboxId(), SandboxPhase.API_UP);
            running.put(request.sandboxId(), true);
            return new Sandbox(request.sandboxId(), request.owner(), request.labId(), "kubeconfig", List.of(), Instant.now());
        }

        @Override
        public List<SandboxStatus> list() {
            return running.entrySet().stream()
                    .map(e -> new SandboxStatus(e.getKey(), null, null, e.getValue(),
                            created.getOrDefault(e.getKey(), Instant.EPOCH))).toList();
        }

        @Override
        public Optional<Sandbox> attach(String id) {
            return Boolean.TRUE.equals(running.get(id))
                    ? Optional.of(new Sandbox(id, null, null, "kubeconfig", List.of(), Instant.now())) : Optional.empty();
        }

        @Override
        public boolean isAlive(String id) {
            return Boolean.TRUE.equals(running.get(id));
        }

        @Override
        public void delete(String id) {
            running.remove(id);
        }
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final FakeProvisioner provisioner = new FakeProvisioner();
    final InMemoryLedger ledger = new InMemoryLedger();
    final ManualClock clock = new ManualClock();
    SandboxManager manager;

    SandboxManager manager(int pool, int perLearner, int total) {
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(pool, perLearner, total, 1,
                Duration.ofMinutes(30), Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(1)), clock);
        return manager;
    }

    @AfterEach
    void close() {
        manager.close();
    }

    SandboxRecord awaitReady(String id) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            SandboxRecord r = ledger.find(id).orElseThrow();
            if (r.state() != SandboxState.STARTING) {
                return r;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("sandbox " + id + " did not leave STARTING");
    }

    void awaitPool(int size) {
        long deadline = System.currentTimeMillis() + 5000;
        while (ledger.active().stream().filter(r -> r.pooled() && r.state() == SandboxState.READY).count() < size) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("pool did not fill to " + size);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aLearnerGetsAWarmSandboxAtOnceAndThePoolRefills() {
        manager(1, 1, 5).start();
        awaitPool(1);
        SandboxRecord mine = manager.acquire("ada", "clusterip", 1);
        assertThat(mine.phase()).isEqualTo(SandboxPhase.LAB_SETUP);
        assertThat(mine.owner()).isEqualTo("ada");
        assertThat(awaitReady(mine.sandboxId()).state()).isEqualTo(SandboxState.READY);
        awaitPool(1);
        assertThat(ledger.active()).hasSize(2);
    }

    @Test
    void aLabWithAnAddonGetsAFreshSandboxWithItNotAWarmOneWithout() {
        manager(1, 1, 5);
        manager.addons(labId -> labId.equals("network-policies") ? java.util.Set.of(SandboxRequest.NETWORK_POLICY)
                : java.util.Set.of());
        manager.start();
        awaitPool(1);
        String warm = ledger.active().stream().filter(SandboxRecord::pooled).findFirst().orElseThrow().sandboxId();
        SandboxRecord mine = manager.acquire("ada", "network-policies", 1);
        assertThat(mine.sandboxId()).isNotEqualTo(warm);
        assertThat(awaitReady(mine.sandboxId()).state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.requests.get(mine.sandboxId()).addons()).containsExactly(SandboxRequest.NETWORK_POLICY);
        assertThat(provisioner.requests.get(warm).addons()).isEmpty();
        assertThat(ledger.find(warm).orElseThrow().pooled()).as("the warm sandbox stays in the pool").isTrue();
    }

    @Test
    void theLearnersSandboxIsPreparedForTheirLabBeforeItIsReady() {
        manager(0, 1, 5);
        java.util.List<String> prepared = new java.util.concurrent.CopyOnWriteArrayList<>();
        manager.preparer((record, sandbox) -> prepared.add(record.owner() + "/" + record.labId()));
        manager.start();
        SandboxRecord ready = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId());
        assertThat(ready.state()).isEqualTo(SandboxState.READY);
        assertThat(prepared).containsExactly("ada/clusterip");
    }

    @Test
    void aFailedPreparationStillHandsTheSandboxOverWithAnExplanation() {
        manager(0, 1, 5);
        manager.preparer((record, sandbox) -> { throw new IllegalStateException("setup.yaml is broken"); });
        manager.start();
        SandboxRecord ready = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId());
        assertThat(ready.state()).isEqualTo(SandboxState.READY);
        assertThat(ready.message()).contains("setup.yaml is broken").contains("starting a fresh cluster retries it");
    }

    @Test
    void askingAgainForTheSameLabReturnsTheSameSandbox() {
        manager(0, 2, 5).start();
        SandboxRecord first = manager.acquire("ada", "clusterip", 1);
        assertThat(manager.acquire("ada", "clusterip", 1).sandboxId()).isEqualTo(first.sandboxId());
    }

    @Test
    void aLearnerAtTheirLimitIsToldToEndASandboxFirst() {
        manager(0, 1, 5).start();
        manager.acquire("ada", "clusterip", 1);
        assertThatThrownBy(() -> manager.acquire("ada", "nodeport", 1))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("End one")
                .extracting(e -> ((SandboxException) e).reason()).isEqualTo(SandboxException.Reason.CAPACITY);
    }

    @Test
    void aStoppedNodeIsMarkedDeadAndTheLearnerGetsAFreshOne() {
        manager(0, 1, 5).start();
        String id = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId()).sandboxId();
        provisioner.running.put(id, false);
        manager.housekeepingRound();
        assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(SandboxState.DEAD);
        assertThat(ledger.find(id).orElseThrow().message()).contains("progress is kept");
        assertThat(manager.acquire("ada", "clusterip", 1).sandboxId()).isNotEqualTo(id);
    }

    @Test
    void anIdleSandboxExpiresButActivityKeepsItAlive() {
        manager(0, 2, 5).start();
        String idle = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId()).sandboxId();
        String busy = awaitReady(manager.acquire("ada", "nodeport", 1).sandboxId()).sandboxId();
        clock.now = clock.now.plus(Duration.ofMinutes(20));
        manager.touch(busy);
        clock.now = clock.now.plus(Duration.ofMinutes(15));
        manager.housekeepingRound();
        assertThat(ledger.find(idle).orElseThrow().state()).isEqualTo(SandboxState.EXPIRED);
        assertThat(ledger.find(busy).orElseThrow().state()).isEqualTo(SandboxState.READY);
        assertThat(provisioner.running).doesNotContainKey(idle);
    }

    @Test
    void extendingNeverPassesTheHardTtl() {
        manager(0, 1, 5).start();
        SandboxRecord record = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId());
        clock.now = clock.now.plus(Duration.ofMinutes(3 * 60 + 30));
        assertThat(manager.extend(record.sandboxId()).expiresAt()).isEqualTo(record.createdAt().plus(Duration.ofHours(4)));
    }

    @Test
    void aWarmSandboxsTimeLimitCountsFromTheHandOverNotFromThePool() {
        manager(1, 1, 5).start();
        awaitPool(1);
        clock.now = clock.now.plus(Duration.ofHours(3)); // the pool kept it waiting for a while
        SandboxRecord mine = manager.acquire("ada", "clusterip", 1);
        assertThat(mine.createdAt()).isEqualTo(clock.now);
        clock.now = clock.now.plus(Duration.ofMinutes(3 * 60 + 30));
        assertThat(manager.extend(awaitReady(mine.sandboxId()).sandboxId()).expiresAt())
                .isEqualTo(mine.createdAt().plus(Duration.ofHours(4)));
    }

    @Test
    void aRestartReattachesKnownSandboxesAndReapsOrphans() {
        manager(0, 1, 5).start();
        String kept = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId()).sandboxId();
        manager.close();
        provisioner.running.put("sb-orphan", true);

        manager(0, 1, 5).start();
        assertThat(ledger.find(kept).orElseThrow().state()).isEqualTo(SandboxState.READY);
        assertThat(manager.connection(kept)).isPresent();
        assertThat(provisioner.running).doesNotContainKey("sb-orphan");
    }

    @Test
    void aSandboxThatDiedWhileTheServerWasDownIsMarkedDeadOnStart() {
        manager(0, 1, 5).start();
        String id = awaitReady(manager.acquire("ada", "clusterip", 1).sandboxId()).sandboxId();
        manager.close();
        provisioner.running.remove(id);

        manager(0, 1, 5).start();
        assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(SandboxState.DEAD);
    }
}
