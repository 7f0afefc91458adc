package dev.servicelab.traffic;

import dev.servicelab.live.LiveSender;
import dev.servicelab.live.LiveSocketHandler;
import dev.servicelab.live.LiveThreads;
import dev.servicelab.security.SocketQuota;
import dev.servicelab.security.WatchAccess;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.json.JsonMapper;

/**
 * The traffic socket: {@code /ws/traffic?lab=ID} for the learner's own sandbox, or
 * {@code &learner=NAME} for an admin, or an instructor of one of the learner's cohorts, watching
 * (read-only: this socket takes no input anyway), as for the terminal. Server to browser only, JSON text: {@code snapshot} first, then {@code topology} when it
 * changes and {@code flows} once per window (see frontend/src/traffic.js). Each viewer has a sender
 * of its own with a short queue: a browser that cannot keep up is disconnected, and its reconnect
 * starts from a fresh snapshot, so no count is lost and the server never waits on it.
 */
@Component
class TrafficSocketHandler extends LiveSocketHandler {

    private static final Socket SOCKET = new Socket("/ws/traffic", "the traffic view", "You may only watch your own traffic.");

    /** Five windows a second: 50 messages is ten seconds a browser did not read. */
    private static final int QUEUE = 50;
    private static final CloseStatus RECONNECT = CloseStatus.SESSION_NOT_RELIABLE.withReason("reconnect for a fresh snapshot");

    private final TrafficService traffic;
    private final LiveThreads threads;
    private final Map<String, Viewing> viewing = new ConcurrentHashMap<>();

    private record Viewing(TrafficService.Watch watch, LiveSender sender) {
    }

    TrafficSocketHandler(TrafficService traffic, WatchAccess watchAccess, SocketQuota quota, JsonMapper json,
            LiveThreads threads) {
        super(SOCKET, watchAccess, quota, json);
        this.traffic = traffic;
        this.threads = threads;
    }

    @Override
    protected void opened(WebSocketSession session, Peer peer) {
        LiveSender sender = new LiveSender(session, "traffic", QUEUE, RECONNECT);
        TrafficSession.Viewer viewer = new TrafficSession.Viewer() {
            @Override
            public void send(String json) {
                sender.offer(new TextMessage(json));
            }

            @Override
            public void closed() {
                sender.abandon(RECONNECT);
            }
        };
        sender.start(threads);
        try {
            viewing.put(session.getId(), new Viewing(traffic.watch(peer.owner(), peer.lab(), viewer), sender));
        } catch (RuntimeException e) {
            sender.stop();
            throw e;
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        // Nothing to say to the server: the view is read-only for everyone.
    }

    @Override
    protected void closed(WebSocketSession session) {
        Viewing v = viewing.remove(session.getId());
        if (v != null) {
            v.watch().close();
            v.sender().stop();
        }
    }
}
