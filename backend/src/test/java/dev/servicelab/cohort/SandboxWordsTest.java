package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the instructor's dashboard says of a learner's sandbox in each state. */
class SandboxWordsTest {

    @Test
    void aQueuedLearnerSeesTheirPlaceAndTheWaitInMinutes() {
        assertThat(SandboxWords.describe("QUEUED", "QUEUED", 2, 150L, null)).isEqualTo("waiting, number 2 in the queue, ~3 min");
    }

    @Test
    void aWaitUnderAMinuteIsStillAMinute() {
        assertThat(SandboxWords.describe("QUEUED", "QUEUED", 1, 20L, null)).isEqualTo("waiting, number 1 in the queue, ~1 min");
    }

    @Test
    void aQueuedLearnerWithoutAnEstimateIsSimplyWaiting() {
        assertThat(SandboxWords.describe("QUEUED", "QUEUED", null, null, null)).isEqualTo("waiting in the queue");
    }

    @Test
    void aStartingSandboxSaysItsPhase() {
        assertThat(SandboxWords.describe("STARTING", "LAB_SETUP", null, null, null)).isEqualTo("starting: preparing the lab");
    }

    @Test
    void aSandboxWakingFromItsSnapshotSaysSo() {
        assertThat(SandboxWords.describe("STARTING", "WAKING", null, null, null))
                .isEqualTo("starting: waking from where they left it");
    }

    @Test
    void readyFrozenAndHibernatedSayHowSoonTheLearnerCanWork() {
        assertThat(SandboxWords.describe("READY", "READY", null, null, null)).isEqualTo("ready");
        assertThat(SandboxWords.describe("FROZEN", "READY", null, null, null)).isEqualTo("paused, wakes in a second");
        assertThat(SandboxWords.describe("HIBERNATED", "READY", null, null, 42L)).isEqualTo("saved, wakes in ~42 s");
    }

    @Test
    void endedSandboxesSayHowTheyEnded() {
        assertThat(SandboxWords.describe("FAILED", "FAILED", null, null, null)).isEqualTo("failed to start");
        assertThat(SandboxWords.describe("EXPIRED", "READY", null, null, null)).isEqualTo("expired");
        assertThat(SandboxWords.describe("DEAD", "READY", null, null, null)).isEqualTo("stopped unexpectedly");
        assertThat(SandboxWords.describe("DELETED", "READY", null, null, null)).isEqualTo("ended");
    }
}
