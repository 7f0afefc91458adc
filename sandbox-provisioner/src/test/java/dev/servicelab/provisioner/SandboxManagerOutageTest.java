package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Housekeeping outlives an outage of its ledger (the platform's database): while the database is
 * down every round fails, and once it is back the next rounds notice dead nodes and refill the pool.
 */
class SandboxManagerOutageTest {

    /** A ledger whose every call fails while {@code down} is set, as a stopped PostgreSQL does. */
    static final class FlakyLedger implements SandboxLedger {
        final InMemoryLedger records = new InMemoryLedger();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        private void check() {
            if (down.get()) {
                refused.incrementAndGet();
                throw new IllegalStateException("Connection refused (the database is down)");
            }
        }

        @Override
        public void save(SandboxRecord record) {
            check();
            records.save(record);
        }

        @Override
        public Optional<SandboxRecord> find(String sandboxId) {
            check();
            return records.find(sandboxId);
        }

        @Override
        public List<SandboxRecord> active() {
            check();
            return records.active();
        }

        @Override
        public List<SandboxRecord> queued() {
            check();
            return records.queued();
        }
    }

    final SandboxManagerTest.FakeProvisioner provisioner = new SandboxManagerTest.FakeProvisioner();
    final FlakyLedger ledger = new FlakyLedger();
    final SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(1, 1, 5, 1,
            Duration.ofMinutes(30), Duration.ofHours(4), Duration.ofHours(1), Duration.ofMillis(50)),
            java.time.Clock.systemUTC());

    @AfterEach
    void close() {
        manager.close();
    }

    private String pooledReady() {
        return ledger.records.active().stream().filter(r -> r.pooled() && r.state() == SandboxState.READY)
                .map(SandboxRecord::sandboxId).findFirst().orElse(null);
    }

    @Test
    void housekeepingResumesAfterTheDatabaseComesBack() {
        manager.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> pooledReady() != null && manager.lastHousekeeping() != null);
        String pooled = pooledReady();

        ledger.down.set(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.refused.get() >= 5);
        Instant beforeRecovery = manager.lastHousekeeping();
        provisioner.running.put(pooled, false); // its node dies during the outage
        ledger.down.set(false);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(ledger.records.find(pooled).orElseThrow().state()).isEqualTo(SandboxState.DEAD);
            assertThat(pooledReady()).isNotNull().isNotEqualTo(pooled);
        });
        assertThat(manager.lastHousekeeping()).isAfter(beforeRecovery);
    }
}
