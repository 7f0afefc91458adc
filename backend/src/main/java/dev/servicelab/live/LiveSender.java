package dev.servicelab.live;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * Sends one client's messages in order on a thread of its own ({@link LiveThreads}), through a bounded queue, so that
 * whoever produces them never writes to a socket and a slow browser holds at most {@code capacity}
 * messages of memory. Producers choose what a full queue means: {@link #offer} gives up on the
 * client (its socket is closed with {@code whenTooSlow}, and the page reconnects), {@link #put} waits,
 * pacing the producer by the client (the terminal's output is read at the pace its reader takes it).
 */
public final class LiveSender {

    private static final Logger log = LoggerFactory.getLogger(LiveSender.class);

    /** What the sending thread does next: send a message, or close the socket. */
    private record Item(WebSocketMessage<?> message, CloseStatus close) {
    }

    private final WebSocketSession session;
    private final BlockingQueue<Item> queue;
    private final CloseStatus whenTooSlow;
    private final String name;
    private volatile Future<?> running;

    public LiveSender(WebSocketSession session, String name, int capacity, CloseStatus whenTooSlow) {
        this.session = session;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.whenTooSlow = whenTooSlow;
        this.name = name + "-send-" + session.getId();
    }

    /** Starts sending; {@link LiveThreads.Busy} when the server has no thread left for it. */
    public void start(LiveThreads threads) {
        running = threads.start(name, this::run);
    }

    /** Queues a message; a client with a full queue is too slow and is disconnected. */
    public void offer(WebSocketMessage<?> message) {
        if (!queue.offer(new Item(message, null))) {
            abandon(whenTooSlow);
        }
    }

    /** Queues a message, waiting for room while the socket is open. */
    public void put(WebSocketMessage<?> message) throws InterruptedException {
        Item item = new Item(message, null);
        while (!queue.offer(item, 1, TimeUnit.SECONDS)) {
            if (!session.isOpen()) {
                return;
            }
        }
    }

    /** Closes the socket once what is queued has been sent. */
    public void closeAfterSent(CloseStatus status) throws InterruptedException {
        queue.put(new Item(null, status));
    }

    /** Drops what is queued and closes the socket at once (the page reconnects and starts afresh). */
    public void abandon(CloseStatus status) {
        queue.clear();
        queue.offer(new Item(null, status));
    }

    /** Stops the sending thread (the socket is closed). */
    public void stop() {
        Future<?> sending = running;
        if (sending != null) {
            sending.cancel(true);
        }
    }

    private void run() {
        try {
            while (session.isOpen()) {
                Item item = queue.take();
                // Sent under the session's lock, as ReconnectOnShutdown closes under it.
                synchronized (session) {
                    if (item.close() != null) {
                        session.close(item.close());
                        return;
                    }
                    session.sendMessage(item.message());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | IllegalStateException e) {
            log.debug("Live socket {} gone: {}", session.getId(), e.getMessage());
        }
    }
}
