package dev.servicelab.terminal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A terminal client as terminal.js is: says hello with the last sequence number it saw (so a
 * reconnect replays what it missed), hands every output frame to a queue and counts bytes.
 */
public final class TerminalClient implements WebSocket.Listener {

    public final BlockingQueue<String> output = new LinkedBlockingQueue<>();
    public final AtomicLong bytes = new AtomicLong();
    /** The stream position after the last byte received: what a reconnect says hello with. */
    public final AtomicLong seq = new AtomicLong(-1);
    public WebSocket socket;
    public volatile String ended;
    public volatile boolean exited;
    private final long helloSeq;
    /** A large frame arrives in parts; only the first part starts with the sequence number. */
    private boolean midFrame;
    private int headerLeft;
    private final ByteBuffer header = ByteBuffer.allocate(8);
    private final StringBuilder text = new StringBuilder();

    private TerminalClient(long helloSeq) {
        this.helloSeq = helloSeq;
    }

    /** Opens tab {@code tab} of the learner's terminal for {@code lab}, resuming after {@code lastSeq} (-1: fresh). */
    public static TerminalClient open(int port, String user, String password, String lab, int tab, long lastSeq) {
        return open(URI.create("ws://localhost:" + port + "/ws/terminal?lab=" + lab + "&tab=" + tab), "Authorization",
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)), lastSeq);
    }

    /** Opens a terminal socket at {@code uri} with one credential header (e.g. a browser's {@code Cookie}). */
    public static TerminalClient open(URI uri, String header, String value, long lastSeq) {
        TerminalClient client = new TerminalClient(lastSeq);
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().header(header, value).buildAsync(uri, client).join();
        return client;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        if (!midFrame) {
            headerLeft = 8;
            header.clear();
        }
        while (headerLeft > 0 && data.hasRemaining()) {
            header.put(data.get());
            headerLeft--;
        }
        if (headerLeft == 0 && !midFrame) {
            seq.set(header.flip().getLong());
        }
        midFrame = !last;
        int n = data.remaining();
        bytes.addAndGet(n);
        seq.addAndGet(n);
        byte[] chunk = new byte[n];
        data.get(chunk);
        output.add(new String(chunk, StandardCharsets.UTF_8));
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String message = text.toString();
            text.setLength(0);
            if (message.contains("\"ready\"")) {
                webSocket.sendText("{\"type\":\"hello\",\"seq\":" + helloSeq + "}", true);
                webSocket.sendText("{\"type\":\"resize\",\"cols\":120,\"rows\":40}", true);
            } else if (message.contains("\"exit\"")) {
                exited = true;
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended = "closed " + statusCode + " " + reason;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        ended = "failed: " + error;
    }

    public void type(String keys) {
        StringBuilder escaped = new StringBuilder();
        for (char c : keys.toCharArray()) {
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                default -> {
                    if (c < 0x20) {
                        escaped.append(String.format("\\u%04x", (int) c)); // JSON allows no raw control characters
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        socket.sendText("{\"type\":\"data\",\"data\":\"" + escaped + "\"}", true);
    }

    /**
     * Waits until the shell has drawn something (its prompt), as a person waits before typing: keys
     * sent while tmux is still starting can be swallowed by its start-up.
     */
    public boolean awaitStarted(Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .until(() -> bytes.get() > 0 || ended != null);
        } catch (ConditionTimeoutException e) {
            return false;
        }
        return bytes.get() > 0;
    }

    /** What the client has seen, for a failing assertion's message. */
    public String describe() {
        return bytes.get() + " bytes received" + (ended == null ? ", socket open" : ", " + ended)
                + (exited ? ", shell exited" : "");
    }

    /** Waits until {@code text} appears in the output that arrives from now on. */
    public boolean await(String expected, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        // Only the tail that could start a match is kept: a flooding shell sends megabytes a second.
        String tail = "";
        while (Instant.now().isBefore(deadline)) {
            String chunk = output.poll(50, TimeUnit.MILLISECONDS);
            if (chunk != null) {
                String window = tail + chunk;
                if (window.contains(expected)) {
                    return true;
                }
                tail = window.substring(Math.max(0, window.length() - expected.length() + 1));
            }
        }
        return false;
    }

    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
}
