package dev.servicelab.terminal;

import dev.servicelab.security.SocketQuota;
import dev.servicelab.security.WatchAccess;
import dev.servicelab.account.Account;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The terminal socket: {@code /ws/terminal?lab=ID&tab=N} for the learner's own shell, or
 * {@code &learner=NAME} for an instructor watching read-only. Protocol (docs in frontend/src/terminal.js):
 * output goes out as binary frames (8-byte big-endian sequence number = byte offset of the first
 * byte, then the bytes); everything else is JSON text: in {@code data}, {@code resize}, {@code ping},
 * {@code hello} (with the last sequence seen, to replay what was missed); out {@code pong},
 * {@code ready}, {@code gap}, {@code exit}, {@code error}.
 */
@Component
class TerminalSocketHandler extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(TerminalSocketHandler.class);
    private static final int FRAME = 64 * 1024;
    /** A new page gets this much recent output to restore its screen. */
    private static final long FRESH_REPLAY = 256 * 1024;
    /** Session attribute: the account whose socket quota this socket holds a place of. */
    private static final String QUOTA = "servicelab.quota";

    /** One attached client: its shell, whether it may type, and where its output stream is. */
    private static final class Client {
        final Shell shell;
        final boolean readOnly;
        volatile long position = -1;
        volatile Thread sender;

        Client(Shell shell, boolean readOnly) {
            this.shell = shell;
            this.readOnly = readOnly;
        }
    }

    private final TerminalService terminals;
    private final JsonMapper json;
    private final TerminalProperties properties;
    private final WatchAccess watchAccess;
    private final SocketQuota quota;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    TerminalSocketHandler(TerminalService terminals, JsonMapper json,
            TerminalProperties properties, WatchAccess watchAccess, SocketQuota quota) {
        this.terminals = terminals;
        this.json = json;
        this.properties = properties;
        this.watchAccess = watchAccess;
        this.quota = quota;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        var query = UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams();
        String lab = query.getFirst("lab");
        String tab = query.getFirst("tab") == null ? "1" : query.getFirst("tab");
        String learner = query.getFirst("learner");
        if (session.getPrincipal() == null || lab == null) {
            refuse(session, "Open the terminal from a lab page while signed in.");
            return;
        }
        if (!tab.matches("\\d{1,3}") || Integer.parseInt(tab) < 1 || Integer.parseInt(tab) > properties.maxTabs()) {
            refuse(session, "A lab has at most " + properties.maxTabs() + " terminal tabs.");
            return;
        }
        WatchAccess.Viewer viewer;
        try {
            viewer = watchAccess.viewer(session.getPrincipal().getName(), learner, "You may only open your own terminal.");
            quota.acquire(session.getPrincipal().getName());
            session.getAttributes().put(QUOTA, session.getPrincipal().getName());
        } catch (WatchAccess.Refused e) {
            refuse(session, e.getMessage());
            return;
        }
        Account owner = viewer.owner();
        boolean watching = viewer.readOnly();
        try {
            Shell shell = terminals.shell(owner, lab, tab);
            Client client = new Client(shell, watching);
            clients.put(session.getId(), client);
            terminals.attached(shell);
            send(session, Map.of("type", "ready", "readOnly", watching, "seq", shell.output().end()));
        } catch (RuntimeException e) {
            refuse(session, e.getMessage());
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
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
            case "ping" -> send(session, Map.of("type", "pong", "t", msg.path("t").asLong(0)));
            case "hello" -> {
                long end = client.shell.output().end();
                long last = msg.path("seq").asLong(-1);
                client.position = last >= 0 && last <= end ? last : Math.max(0, end - FRESH_REPLAY);
                startSender(session, client);
            }
            default -> send(session, Map.of("type", "error", "message", "Unknown message type"));
        }
    }

    /** Streams the shell's output to one client at the pace that client takes it. */
    private void startSender(WebSocketSession session, Client client) {
        if (client.sender != null) {
            return;
        }
        Thread sender = new Thread(() -> {
            try {
                while (session.isOpen()) {
                    OutputRing ring = client.shell.output();
                    ring.awaitBeyond(client.position, 1000);
                    var slice = ring.read(client.position, FRAME);
                    if (slice.gap()) {
                        send(session, Map.of("type", "gap", "skipped", slice.from() - client.position));
                    }
                    if (slice.bytes().length > 0) {
                        ByteBuffer frame = ByteBuffer.allocate(8 + slice.bytes().length);
                        frame.putLong(slice.from()).put(slice.bytes()).flip();
                        synchronized (session) {
                            session.sendMessage(new BinaryMessage(frame));
                        }
                    }
                    client.position = slice.to();
                    if (!client.shell.open() && client.position >= ring.end()) {
                        send(session, Map.of("type", "exit", "code", client.shell.exitCode() == null ? -1 : client.shell.exitCode()));
                        session.close(CloseStatus.NORMAL);
                    }
                }
            } catch (IOException | InterruptedException | IllegalStateException e) {
                log.debug("Terminal client {} stopped: {}", session.getId(), e.getMessage());
            }
        }, "terminal-send-" + session.getId());
        sender.setDaemon(true);
        client.sender = sender;
        sender.start();
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().remove(QUOTA) instanceof String account) {
            quota.release(account);
        }
        Client client = clients.remove(session.getId());
        if (client != null) {
            terminals.detached(client.shell);
            if (client.sender != null) {
                client.sender.interrupt();
            }
        }
    }

    private void refuse(WebSocketSession session, String message) throws IOException {
        send(session, Map.of("type", "error", "message", message));
        session.close(CloseStatus.POLICY_VIOLATION.withReason(message.length() > 120 ? message.substring(0, 120) : message));
    }

    private void send(WebSocketSession session, Map<String, Object> message) throws IOException {
        synchronized (session) {
            if (session.isOpen()) {
                session.sendMessage(new TextMessage(json.writeValueAsString(message)));
            }
        }
    }
}
