package dev.servicelab.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import org.junit.jupiter.api.Test;

/**
 * On a server that runs sandboxes, a terminal opened before the learner's cluster is ready says what
 * to do (TerminalAccessTest covers a server without sandboxes). No sandbox is started.
 */
class TerminalNotReadyIT extends SandboxPlatformTestBase {

    @Test
    void aTerminalWithoutAReadySandboxSaysToStartTheCluster() throws Exception {
        TerminalAccessTest.Refusal refusal = TerminalAccessTest.refusal(port, newLearner(), "lab=clusterip&tab=1");
        assertThat(refusal.message()).contains("not ready").contains("Start it on the lab page");
        assertThat(refusal.closeCode()).isEqualTo(1008);
    }
}
