package dev.servicelab.live;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * When this replica shuts down, tells every open socket to reconnect (close status 1012, "service
 * restart") before graceful shutdown waits for requests: the browsers' sockets reconnect at once,
 * to another replica or to this one restarted, and resume where they were (the terminal from its
 * last sequence number, the traffic view from a fresh snapshot). Socket configurations register
 * their handler through {@link #decorate}, so the handlers themselves need not know.
 */
@Component
public class ReconnectOnShutdown {

    private static final Logger log = LoggerFactory.getLogger(ReconnectOnShutdown.class);
    private static final CloseStatus RESTART = CloseStatus.SERVICE_RESTARTED.withReason("service restart: reconnect");

    private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();

    /** The handler, with its sessions remembered while they are open. */
    public WebSocketHandler decorate(WebSocketHandler handler) {
        return new Tracked(handler);
    }

    /** Remembers a handler's open sessions. */
    final class Tracked extends WebSocketHandlerDecorator {

        Tracked(WebSocketHandler handler) {
            super(handler);
        }

        @Override
        public void afterConnectionEstablished(WebSocketSession session) throws Exception {
            sessions.add(session);
            super.afterConnectionEstablished(session);
        }

        @Override
        public void afterConnectionClosed(WebSocketSession session, CloseStatus status) throws Exception {
            sessions.remove(session);
            super.afterConnectionClosed(session, status);
        }
    }

    @EventListener(ContextClosedEvent.class)
    void closeAll() {
        if (!sessions.isEmpty()) {
            log.info("Shutting down: telling {} open socket(s) to reconnect", sessions.size());
        }
        for (WebSocketSession session : sessions) {
            // Handlers send under the session's lock; closing under it never interleaves with a frame.
            synchronized (session) {
                try {
                    session.close(RESTART);
                } catch (IOException | IllegalStateException e) {
                    log.debug("Socket {} was already closing: {}", session.getId(), e.getMessage());
                }
            }
        }
        sessions.clear();
    }
}
