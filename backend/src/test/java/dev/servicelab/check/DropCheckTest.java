package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** dropped/externalDropped pass on a drop only: a refusal teaches the opposite lesson. */
class DropCheckTest {

    @Test
    void curlTimingOutWithoutConnectingIsADrop() {
        assertThat(DropCheck.curlEnding(28, "__servicelab_connect__0.000000")).isEqualTo(DropCheck.Ending.TIMED_OUT);
    }

    @Test
    void curlTimingOutAfterConnectingIsNotADrop() {
        assertThat(DropCheck.curlEnding(28, "__servicelab_connect__0.001234")).isEqualTo(DropCheck.Ending.CONNECTED);
    }

    @Test
    void curlRefusedAndUnresolvedAreToldApart() {
        assertThat(DropCheck.curlEnding(7, "__servicelab_connect__0.000000")).isEqualTo(DropCheck.Ending.REFUSED);
        assertThat(DropCheck.curlEnding(6, "__servicelab_connect__0.000000")).isEqualTo(DropCheck.Ending.UNRESOLVED);
        assertThat(DropCheck.curlEnding(0, "__servicelab_connect__0.000512")).isEqualTo(DropCheck.Ending.CONNECTED);
    }

    @Test
    void onlyATimeoutPasses() {
        assertThat(DropCheck.verdict("GET x", DropCheck.Ending.TIMED_OUT, "").passed()).isTrue();
        assertThat(DropCheck.verdict("GET x", DropCheck.Ending.CONNECTED, "").passed()).isFalse();
        assertThat(DropCheck.verdict("GET x", DropCheck.Ending.UNRESOLVED, "").message()).contains("does not resolve");
    }

    @Test
    void aRefusalIsExplainedAsKubeProxysRejectOfAServiceWithoutEndpoints() {
        Outcome outcome = DropCheck.verdict("GET x", DropCheck.Ending.REFUSED, "");
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("refused at once, not dropped").contains("no endpoints at all");
    }

    @Test
    void aListeningPortConnectsAndAClosedOneRefuses() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int closed;
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            assertThat(DropCheck.connect(new InetSocketAddress(loopback, server.getLocalPort()), Duration.ofSeconds(2)))
                    .isEqualTo(DropCheck.Ending.CONNECTED);
            closed = server.getLocalPort();
        }
        assertThat(DropCheck.connect(new InetSocketAddress(loopback, closed), Duration.ofSeconds(2)))
                .isEqualTo(DropCheck.Ending.REFUSED);
    }
}
