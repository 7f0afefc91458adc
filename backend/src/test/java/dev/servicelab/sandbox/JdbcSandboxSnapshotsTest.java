package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxPhase;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxSnapshot;
import dev.servicelab.provisioner.SandboxState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.PlatformTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Saved clusters and the hibernation states in the platform's PostgreSQL (migration V15). */
class JdbcSandboxSnapshotsTest extends PlatformTestBase {

    @Autowired
    JdbcSandboxSnapshots snapshots;
    @Autowired
    JdbcSandboxLedger ledger;
    @Autowired
    JdbcClient jdbc;

    static SandboxSnapshot snapshot(String content, Instant takenAt) {
        return new SandboxSnapshot("servicelab/kube-node:v1-test", content.getBytes(StandardCharsets.UTF_8),
                "hash-of-" + content, takenAt);
    }

    @Test
    void theLatestSnapshotOfALearnersLabIsKeptAndReadBack() {
        String owner = "snap-" + UUID.randomUUID().toString().substring(0, 8);
        Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(snapshots.save(owner, "nodeport", snapshot("one", first))).isTrue();
        assertThat(snapshots.save(owner, "nodeport", snapshot("two", first.plusSeconds(60)))).isTrue();

        SandboxSnapshot latest = snapshots.latest(owner, "nodeport").orElseThrow();
        assertThat(new String(latest.archive(), StandardCharsets.UTF_8)).isEqualTo("two");
        assertThat(latest.image()).isEqualTo("servicelab/kube-node:v1-test");
        assertThat(latest.takenAt()).isEqualTo(first.plusSeconds(60));
        assertThat(snapshots.latest(owner, "clusterip")).isEmpty();
    }

    @Test
    void anUnchangedClusterIsNotWrittenAgainButItsTimeMoves() {
        String owner = "snap-" + UUID.randomUUID().toString().substring(0, 8);
        Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        snapshots.save(owner, "nodeport", snapshot("same", first));

        assertThat(snapshots.save(owner, "nodeport", snapshot("same", first.plusSeconds(300)))).isFalse();
        assertThat(snapshots.latest(owner, "nodeport").orElseThrow().takenAt()).isEqualTo(first.plusSeconds(300));
    }

    @Test
    void deletingForgetsTheSnapshot() {
        String owner = "snap-" + UUID.randomUUID().toString().substring(0, 8);
        snapshots.save(owner, "nodeport", snapshot("x", Instant.now()));
        snapshots.delete(owner, "nodeport");
        assertThat(snapshots.latest(owner, "nodeport")).isEmpty();
    }

    @Test
    void aFrozenSandboxIsLiveAndAHibernatedOneIsNot() {
        String owner = "snap-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String frozen = "sb-f" + UUID.randomUUID().toString().substring(0, 8);
        String hibernated = "sb-h" + UUID.randomUUID().toString().substring(0, 8);
        ledger.save(new SandboxRecord(frozen, owner, "nodeport", 1, SandboxState.FROZEN, SandboxPhase.READY, null, now, now, null));
        ledger.save(new SandboxRecord(hibernated, owner, "clusterip", 1, SandboxState.HIBERNATED, SandboxPhase.READY,
                "saved", now, now, null));

        assertThat(ledger.active()).extracting(SandboxRecord::sandboxId).contains(frozen).doesNotContain(hibernated);
        assertThat(ledger.find(hibernated).orElseThrow().state()).isEqualTo(SandboxState.HIBERNATED);
        jdbc.sql("delete from sandbox where owner = ?").param(owner).update();
    }
}
