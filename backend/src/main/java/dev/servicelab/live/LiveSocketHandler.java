package dev.servicelab.live;

import dev.servicelab.security.Account;
import dev.servicelab.security.SocketQuota;
import dev.servicelab.security.WatchAccess;
import java.io.IOException;
import java.util.Map;
import org.springframework.util.MultiValueMap;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The frame of every live socket ({@code PATH?lab=ID}, or {@code &learner=NAME} to watch a learner
 * read-only): one handshake (query, principal, who may watch whom), one place where the account's
 * socket quota is taken and given back, and one way to refuse (an {@code error} message, then close
 * 1008 with the reason). A feature says only where its socket lives and what it does once
 * {@link #opened opened}; {@link LiveSocketConfiguration} registers every subclass.
 */
public abstract class LiveSocketHandler extends TextWebSocketHandler {

    /** Session attribute: the account whose socket quota this socket holds a place of. */
    private static final String QUOTA = "servicelab.quota";
    /** Close reasons are at most 123 bytes. */
    private static final int MAX_REASON = 120;

    /** Who opened a socket, for whose sandbox, and what else the query said. */
    public record Peer(String caller, Account owner, boolean readOnly, String lab, MultiValueMap<String, String> query) {
        public String param(String name) {
            return query.getFirst(name);
        }
    }

    /**
     * What a socket is, for registration and refusals.
     *
     * @param path where it is served, e.g. {@code /ws/terminal}
     * @param what what it shows, for refusals: "the terminal"
     * @param ownOnly what a learner who asks for someone else's socket is told
     */
    public record Socket(String path, String what, String ownOnly) {
    }

    private final Socket socket;
    private final WatchAccess access;
    private final SocketQuota quota;
    protected final JsonMapper json;

    protected LiveSocketHandler(Socket socket, WatchAccess access, SocketQuota quota, JsonMapper json) {
        this.socket = socket;
        this.access = access;
        this.quota = quota;
        this.json = json;
    }

    /** Where the socket is served. */
    public final String path() {
        return socket.path();
    }

    /**
     * The handshake passed and the quota holds a place: attach the client. A runtime exception
     * refuses the socket with its message, which must say what to do.
     */
    protected abstract void opened(WebSocketSession session, Peer peer) throws IOException;

    /** The socket closed (whichever side closed it): detach the client, if {@link #opened} attached it. */
    protected abstract void closed(WebSocketSession session);

    @Override
    public final void afterConnectionEstablished(WebSocketSession session) throws IOException {
        var query = UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams();
        String lab = query.getFirst("lab");
        if (session.getPrincipal() == null || lab == null) {
            refuse(session, "Open " + socket.what() + " from a lab page while signed in.");
            return;
        }
        String caller = session.getPrincipal().getName();
        Peer peer;
        try {
            WatchAccess.Viewer viewer = access.viewer(caller, query.getFirst("learner"), socket.ownOnly());
            quota.acquire(caller);
            session.getAttributes().put(QUOTA, caller);
            peer = new Peer(caller, viewer.owner(), viewer.readOnly(), lab, query);
        } catch (WatchAccess.Refused e) {
            refuse(session, e.getMessage());
            return;
        }
        try {
            opened(session, peer);
        } catch (RuntimeException e) {
            refuse(session, e.getMessage());
        }
    }

    @Override
    public final void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().remove(QUOTA) instanceof String account) {
            quota.release(account);
        }
        closed(session);
    }

    /** Tells the browser why in an {@code error} message, then closes with 1008 and the reason. */
    protected final void refuse(WebSocketSession session, String message) throws IOException {
        String reason = message == null ? "refused" : message;
        synchronized (session) {
            if (session.isOpen()) {
                session.sendMessage(text(Map.of("type", "error", "message", reason)));
                session.close(CloseStatus.POLICY_VIOLATION.withReason(
                        reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason));
            }
        }
    }

    protected final TextMessage text(Map<String, Object> message) {
        return new TextMessage(json.writeValueAsString(message));
    }
}
