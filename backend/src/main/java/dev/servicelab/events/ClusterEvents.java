package dev.servicelab.events;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Events every replica of the platform sees, over PostgreSQL's LISTEN/NOTIFY on the channel
 * {@value #CHANNEL}: no broker beyond the database the replicas already share.
 *
 * <p>{@link #publish} hands an event to this replica's subscribers at once, in the caller's thread,
 * and NOTIFYs it as small JSON ({@code {"origin", "type", "data"}}, under the 8000 bytes NOTIFY
 * takes) tagged with this replica's origin. Each replica listens on one dedicated connection of its
 * own (not the pool's) and hands the others' events to its subscribers on one thread, in order;
 * its own come back too and are dropped, so every event reaches every subscriber once. Messages
 * without an origin come from the database itself (a trigger) and reach every replica.
 *
 * <p>The listener never gives up: when the connection fails (database restart, network) it waits,
 * doubling the wait up to a limit, and listens again; events NOTIFYed meanwhile are lost, so
 * {@link #onReconnect} tells subscribers to catch up from the database.
 */
@Component
public class ClusterEvents implements SmartLifecycle {

    public static final String CHANNEL = "servicelab_events";
    /** NOTIFY refuses payloads of 8000 bytes or more (the default build of PostgreSQL). */
    static final int MAX_PAYLOAD_BYTES = 7999;
    static final String APPLICATION_NAME = "servicelab-events";

    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

    private record Envelope(String origin, String type, Object data) {
    }

    private record Subscription<T>(Class<T> type, Consumer<T> handler) {
    }

    private final String origin = UUID.randomUUID().toString();
    private final Map<String, List<Subscription<?>>> subscriptions = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private final JsonMapper json;
    private final ClusterEventsProperties properties;
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "cluster-events-dispatch");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Thread listener;
    private volatile Connection connection;

    ClusterEvents(DataSource dataSource, JdbcClient jdbc, PlatformTransactionManager transactions, JsonMapper json,
            ClusterEventsProperties properties) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.json = json;
        this.properties = properties;
        // Publishers are after-commit listeners: NOTIFY in a transaction of its own, which commits it.
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Calls {@code handler} with every event of this type, from this replica or another. */
    public <T> void subscribe(String type, Class<T> payloadType, Consumer<T> handler) {
        subscriptions.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(new Subscription<>(payloadType, handler));
    }

    /** Calls {@code action} when the listener is back after losing its connection (events may have been missed). */
    public void onReconnect(Runnable action) {
        reconnectListeners.add(action);
    }

    /**
     * Delivers the event here and announces it to the other replicas. Call it after the data it
     * describes is committed. A payload too large for NOTIFY, or a database that is down, costs the
     * other replicas this event (logged), never the caller.
     */
    public void publish(String type, Object payload) {
        deliver(type, payload);
        String message = json.writeValueAsString(new Envelope(origin, type, payload));
        int bytes = message.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PAYLOAD_BYTES) {
            log.warn("Event {} is {} bytes, more than NOTIFY carries ({}); other replicas do not see it", type, bytes,
                    MAX_PAYLOAD_BYTES);
            return;
        }
        try {
            ownTransaction.executeWithoutResult(status -> jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, message)
                    .query((java.sql.ResultSet rs) -> {
                    }));
        } catch (DataAccessException e) {
            log.warn("Could not announce event {} to the other replicas: {}", type, e.getMessage());
        }
    }

    /** Whether this replica is listening right now (false while it waits to reconnect). */
    public boolean listening() {
        return listening;
    }

    @Override
    public void start() {
        running = true;
        Thread thread = new Thread(this::listen, "cluster-events-listener");
        thread.setDaemon(true);
        listener = thread;
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = listener;
        if (thread != null) {
            thread.interrupt();
        }
        closeQuietly(connection);
        dispatcher.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        Duration wait = properties.reconnectMin();
        boolean lostBefore = false;
        while (running) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement statement = c.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                listening = true;
                if (lostBefore) {
                    log.info("Listening for other replicas' events again");
                    reconnectListeners.forEach(action -> dispatcher.execute(action));
                }
                wait = properties.reconnectMin();
                PGConnection postgres = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications((int) properties.idleCheck().toMillis());
                    if (notifications == null || notifications.length == 0) {
                        // Quiet: make sure the connection is alive (a dead peer may send no error at all).
                        try (Statement statement = c.createStatement()) {
                            statement.execute("select 1");
                        }
                        continue;
                    }
                    for (PGNotification notification : notifications) {
                        receive(notification.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    break;
                }
                lostBefore = true;
                log.warn("Not listening for other replicas' events ({}); trying again in {}", e.getMessage(), wait);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    if (!running) {
                        break;
                    }
                }
                Duration doubled = wait.multipliedBy(2);
                wait = doubled.compareTo(properties.reconnectMax()) > 0 ? properties.reconnectMax() : doubled;
            } finally {
                listening = false;
                connection = null;
            }
        }
    }

    /** A connection outside the pool, named so that operators (and tests) can find it in pg_stat_activity. */
    private Connection connect() throws SQLException {
        if (dataSource.isWrapperFor(HikariDataSource.class)) {
            HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
            Properties info = new Properties();
            if (hikari.getUsername() != null) {
                info.setProperty("user", hikari.getUsername());
            }
            if (hikari.getPassword() != null) {
                info.setProperty("password", hikari.getPassword());
            }
            info.setProperty("ApplicationName", APPLICATION_NAME);
            info.setProperty("tcpKeepAlive", "true");
            return DriverManager.getConnection(hikari.getJdbcUrl(), info);
        }
        return dataSource.getConnection();
    }

    private void receive(String message) {
        try {
            JsonNode node = json.readTree(message);
            JsonNode from = node.get("origin");
            if (from != null && origin.equals(from.asString())) {
                return; // published here, and delivered when it was
            }
            String type = node.path("type").asString();
            JsonNode data = node.get("data");
            dispatcher.execute(() -> deliver(type, data));
        } catch (JacksonException e) {
            log.warn("Ignoring a malformed event on {}: {}", CHANNEL, e.getMessage());
        }
    }

    private void deliver(String type, Object payload) {
        for (Subscription<?> subscription : subscriptions.getOrDefault(type, List.of())) {
            try {
                deliver(subscription, payload);
            } catch (RuntimeException e) {
                log.warn("A subscriber to {} events failed: {}", type, e.toString());
            }
        }
    }

    private <T> void deliver(Subscription<T> subscription, Object payload) {
        T value = subscription.type().isInstance(payload) ? subscription.type().cast(payload)
                : json.convertValue(payload, subscription.type());
        subscription.handler().accept(value);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // closing anyway
            }
        }
    }
}
