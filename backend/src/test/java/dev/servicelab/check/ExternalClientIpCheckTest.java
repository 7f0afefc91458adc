package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** externalClientIP compares the source address the echo pod reports with the caller's own address. */
class ExternalClientIpCheckTest {

    @Test
    void theAddressThePodSawIsReadFromTheEchoAnswer() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> answerOnce(server, "10.42.0.1"));
            var seen = ExternalClientIpCheck.ask(new InetSocketAddress(loopback, server.getLocalPort()));
            assertThat(seen.podSaw()).isEqualTo("10.42.0.1");
            assertThat(seen.caller()).isEqualTo(loopback.getHostAddress());
            assertThat(request.get()).startsWith("GET /client-ip?format=json HTTP/1.0");
        }
    }

    private static String answerOnce(ServerSocket server, String clientIp) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            socket.getOutputStream().write(("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\n  \"pod\": \"pinned-1\",\n"
                    + "  \"clientIP\": \"" + clientIp + "\"\n}\n").getBytes(StandardCharsets.UTF_8));
            return head.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCallersOwnAddressMeansTheSourceWasPreserved() {
        var seen = new ExternalClientIpCheck.Seen("172.18.0.1", "172.18.0.1");
        assertThat(ExternalClientIpCheck.verdict("the server node's port 30300", seen, true).passed()).isTrue();
        Outcome notWanted = ExternalClientIpCheck.verdict("the server node's port 30300", seen, false);
        assertThat(notWanted.passed()).isFalse();
        assertThat(notWanted.message()).contains("reached the pod unchanged");
    }

    @Test
    void anotherAddressMeansTheNodeRewroteTheSource() {
        var seen = new ExternalClientIpCheck.Seen("10.42.0.1", "172.18.0.1");
        Outcome wanted = ExternalClientIpCheck.verdict("the server node's port 30300", seen, true);
        assertThat(wanted.passed()).isFalse();
        assertThat(wanted.message()).contains("the pod saw the request come from 10.42.0.1; the caller was 172.18.0.1")
                .contains("source NAT");
        assertThat(ExternalClientIpCheck.verdict("the server node's port 30300", seen, false).passed()).isTrue();
    }
}
