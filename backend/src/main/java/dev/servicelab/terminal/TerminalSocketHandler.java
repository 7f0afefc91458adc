package dev.servicelab.terminal;

import dev.servicelab.live.LiveSender;
import dev.servicelab.live.LiveSocketHandler;
import dev.servicelab.live.LiveThreads;
import dev.servicelab.security.SocketQuota;
import dev.servicelab.security.WatchAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The terminal socket: {@code /ws/terminal?lab=ID&tab=N} for the learner's own shell, or
 * {@code &learner=NAME} for an instructor watching read-only. Protocol (docs in frontend/src/terminal.js):
 * output goes out as binary frames (8-byte big-endian sequence number = byte offset of the first
 * byte, then the bytes); everything else is JSON text: in {@code data}, {@code resize}, {@code ping},
 * {@code hello} (with the last sequence seen and the stream it belongs to, to replay what was
 * missed); out {@code pong}, {@code ready} (with this shell's stream), {@code gap}, {@code exit},
 * {@code error}.
 */
@Component
class TerminalSocketHandler extends LiveSocketHandler {

    private static final Socket SOCKET = new Socket("/ws/terminal", "the terminal", "You may only open your own terminal.");

    private static final Logger log = LoggerFactory.getLogger(TerminalSocketHandler.class);
    private static final int FRAME = 64 * 1024;
    /** Frames queued for one client at most: its output is read no faster than it takes them. */
    private static final int QUEUE = 8;
    /** A new page gets this much recent output to restore its screen. */
    private static final long FRESH_REPLAY = 256 * 1024;

    /** One attached client: its shell, whether it may type, its sender, and where its output stream is. */
    private static final class Client {
        final Shell shell;
        final boolean readOnly;
        final LiveSender sender;
        volatile long position = -1;
        volatile Future<?> pump;

        Client(Shell shell, boolean readOnly, LiveSender sender) {
            this.shell = shell;
            this.readOnly = readOnly;
            this.sender = sender;
        }
    }

    private final TerminalService terminals;
    private final TerminalProperties properties;
    private final LiveThreads threads;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    TerminalSocketHandler(TerminalService terminals, JsonMapper json,
            TerminalProperties properties, WatchAccess watchAccess, SocketQuota quota, LiveThreads threads) {
        super(SOCKET, watchAccess, quota, json);
        this.terminals = terminals;
        this.properties = properties;
        this.threads = threads;
    }

    @Override
    protected void opened(WebSocketSession session, Peer peer) {
        String tab = peer.param("tab") == null ? "1" : peer.param("tab");
        if (!tab.matches("\\d{1,3}") || Integer.parseInt(tab) < 1 || Integer.parseInt(tab) > properties.maxTabs()) {
            throw new IllegalArgumentException("A lab has at most " + properties.maxTabs() + " terminal tabs.");
        }
        Shell shell = terminals.shell(peer.owner(), peer.lab(), tab);
        // A slow client paces its own output pump; the sender never gives up on it.
        Client client = new Client(shell, peer.readOnly(),
                new LiveSender(session, "terminal", QUEUE, CloseStatus.SESSION_NOT_RELIABLE));
        clients.put(session.getId(), client);
        terminals.attached(shell);
        client.sender.offer(text(Map.of("type", "ready", "readOnly", peer.readOnly(), "seq", shell.output().end(),
                "stream", shell.output().stream())));
        client.sender.start(threads);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws InterruptedException {
        Client client = clients.get(session.getId());
        if (client == null) {
            return;
        }
        JsonNode msg = json.readTree(message.getPayload());
        switch (msg.path("type").asString("")) {
            case "data" -> {
                if (!client.readOnly) {
                    client.shell.write(msg.path("data").asString(""));
                }
            }
            case "resize" -> {
                if (!client.readOnly) {
                    client.shell.resize(msg.path("cols").asInt(0), msg.path("rows").asInt(0));
                }
            }
            case "ping" -> client.sender.put(text(Map.of("type", "pong", "t", msg.path("t").asLong(0))));
            case "hello" -> {
                client.position = client.shell.output().resumeFrom(msg.path("seq").asLong(-1),
                        msg.path("stream").asString(""), FRESH_REPLAY);
                startPump(session, client);
            }
            default -> client.sender.put(text(Map.of("type", "error", "message", "Unknown message type")));
        }
    }

    /** Reads the shell's output into the client's sender at the pace that client takes it. */
    private void startPump(WebSocketSession session, Client client) {
        if (client.pump != null) {
            return;
        }
        client.pump = threads.start("terminal-output-" + session.getId(), () -> {
            try {
                while (session.isOpen()) {
                    OutputRing ring = client.shell.output();
                    ring.awaitBeyond(client.position, 1000);
                    var slice = ring.read(client.position, FRAME);
                    if (slice.gap()) {
                        client.sender.put(text(Map.of("type", "gap", "skipped", slice.from() - client.position)));
                    }
                    if (slice.bytes().length > 0) {
                        ByteBuffer frame = ByteBuffer.allocate(8 + slice.bytes().length);
                        frame.putLong(slice.from()).put(slice.bytes()).flip();
                        client.sender.put(new BinaryMessage(frame));
                    }
                    client.position = slice.to();
                    if (!client.shell.open() && client.position >= ring.end()) {
                        client.sender.put(text(Map.of("type", "exit",
                                "code", client.shell.exitCode() == null ? -1 : client.shell.exitCode())));
                        client.sender.closeAfterSent(CloseStatus.NORMAL);
                        return;
                    }
                }
            } catch (InterruptedException | IllegalStateException e) {
                log.debug("Terminal client {} stopped: {}", session.getId(), e.getMessage());
            }
        });
    }

    @Override
    protected void closed(WebSocketSession session) {
        Client client = clients.remove(session.getId());
        if (client != null) {
            terminals.detached(client.shell);
            client.sender.stop();
            if (client.pump != null) {
                client.pump.cancel(true);
            }
        }
    }
}
