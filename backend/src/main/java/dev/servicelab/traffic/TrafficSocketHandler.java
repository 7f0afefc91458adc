package dev.servicelab.traffic;

import dev.servicelab.account.Account;
import dev.servicelab.security.SocketQuota;
import dev.servicelab.security.WatchAccess;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The traffic socket: {@code /ws/traffic?lab=ID} for the learner's own sandbox, or
 * {@code &learner=NAME} for an admin, or an instructor of one of the learner's cohorts, watching
 * (read-only: this socket takes no input anyway), as for the terminal. Server to browser only, JSON text: {@code snapshot} first, then {@code topology} when it
 * changes and {@code flows} once per window (see frontend/src/traffic.js). Each viewer has a sender
 * of its own with a short queue: a browser that cannot keep up is disconnected, and its reconnect
 * starts from a fresh snapshot, so no count is lost and the server never waits on it.
 */
@Component
class TrafficSocketHandler extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(TrafficSocketHandler.class);
    /** Five windows a second: 50 messages is ten seconds a browser did not read. */
    private static final int QUEUE = 50;
    /** Queued to end a viewer's socket. */
    private static final String CLOSE = "";
    /** Session attribute: the account whose socket quota this socket holds a place of. */
    private static final String QUOTA = "servicelab.quota";

    private final TrafficService traffic;
    private final WatchAccess watchAccess;
    private final SocketQuota quota;
    private final Map<String, Viewing> viewing = new ConcurrentHashMap<>();

    private record Viewing(TrafficService.Watch watch, Sender sender) {
    }

    TrafficSocketHandler(TrafficService traffic, WatchAccess watchAccess, SocketQuota quota) {
        this.traffic = traffic;
        this.watchAccess = watchAccess;
        this.quota = quota;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        var query = UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams();
        String lab = query.getFirst("lab");
        String learner = query.getFirst("learner");
        if (session.getPrincipal() == null || lab == null) {
            refuse(session, "Open the traffic view from a lab page while signed in.");
            return;
        }
        WatchAccess.Viewer viewer;
        try {
            viewer = watchAccess.viewer(session.getPrincipal().getName(), learner, "You may only watch your own traffic.");
            quota.acquire(session.getPrincipal().getName());
            session.getAttributes().put(QUOTA, session.getPrincipal().getName());
        } catch (WatchAccess.Refused e) {
            refuse(session, e.getMessage());
            return;
        }
        Account owner = viewer.owner();
        boolean watching = viewer.readOnly();
        Sender sender = new Sender(session);
        try {
            viewing.put(session.getId(), new Viewing(traffic.watch(owner, lab, sender), sender));
            sender.start();
        } catch (RuntimeException e) {
            refuse(session, e.getMessage());
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        // Nothing to say to the server: the view is read-only for everyone.
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().remove(QUOTA) instanceof String account) {
            quota.release(account);
        }
        Viewing v = viewing.remove(session.getId());
        if (v != null) {
            v.watch().close();
            v.sender().thread.interrupt();
        }
    }

    private void refuse(WebSocketSession session, String message) throws IOException {
        synchronized (session) {
            if (session.isOpen()) {
                session.sendMessage(new TextMessage("{\"type\":\"error\",\"message\":" + quote(message) + "}"));
                session.close(CloseStatus.POLICY_VIOLATION.withReason(message.length() > 120 ? message.substring(0, 120) : message));
            }
        }
    }

    private static String quote(String s) {
        return "\"" + String.valueOf(s).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    /** Sends one viewer's messages in order on a thread of its own. */
    private static final class Sender implements TrafficSession.Viewer {
        private final WebSocketSession session;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        private final Thread thread;

        Sender(WebSocketSession session) {
            this.session = session;
            this.thread = new Thread(this::run, "traffic-send-" + session.getId());
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void send(String json) {
            if (!queue.offer(json)) {
                queue.clear();
                queue.offer(CLOSE); // too slow: drop it; the browser reconnects and gets a snapshot
            }
        }

        @Override
        public void closed() {
            queue.clear();
            queue.offer(CLOSE);
        }

        private void run() {
            try {
                while (session.isOpen()) {
                    String message = queue.take();
                    if (message.isEmpty()) { // CLOSE: JSON messages are never empty
                        // Too slow, or the session ended: the browser reconnects and starts from a fresh snapshot.
                        session.close(CloseStatus.SESSION_NOT_RELIABLE.withReason("reconnect for a fresh snapshot"));
                        return;
                    }
                    session.sendMessage(new TextMessage(message));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | IllegalStateException e) {
                log.debug("Traffic viewer {} gone: {}", session.getId(), e.getMessage());
            }
        }
    }
}
