package dev.servicelab.traffic;

import dev.servicelab.security.Account;
import dev.servicelab.jobs.Jobs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.provisioner.flows.FlowStream;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live traffic views of this server: one {@link TrafficSession} per sandbox someone watches,
 * ticked once per window on a shared scheduler, closed a while after its last viewer left.
 */
@Service
public class TrafficService {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TrafficService.class);

    private final SandboxService sandboxes;
    private final ObjectProvider<SandboxProvisioner> provisioner;
    private final TrafficProperties properties;
    private final JsonMapper json;
    private final Map<String, TrafficSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(1, r -> {
        Thread thread = new Thread(r, "traffic-ticker");
        thread.setDaemon(true);
        return thread;
    });

    TrafficService(SandboxService sandboxes, ObjectProvider<SandboxProvisioner> provisioner, TrafficProperties properties,
            JsonMapper json, Jobs jobs) {
        this.sandboxes = sandboxes;
        this.provisioner = provisioner;
        this.properties = properties;
        this.json = json;
        long window = properties.window().toMillis();
        // Not a Jobs job: it runs five times a second and must keep its pace; a tick never throws out of here.
        ticker.scheduleAtFixedRate(() -> sessions.values().forEach(session -> {
            try {
                session.tick();
            } catch (RuntimeException e) {
                log.warn("Traffic window of sandbox {} failed: {}", session.sandboxId(), e.getMessage());
            }
        }), window, window, TimeUnit.MILLISECONDS);
        jobs.every("traffic-reaper", java.time.Duration.ofSeconds(10), this::closeIdle);
    }

    /** A viewer's attachment to a sandbox's traffic; closing it detaches. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Attaches a viewer to the owner's sandbox for the lab; it gets a snapshot, then every window. */
    Watch watch(Account owner, String labId, TrafficSession.Viewer viewer) {
        TrafficSession session = session(owner, labId);
        session.add(viewer);
        return () -> session.remove(viewer);
    }

    /** The current topology and counters, once. */
    TrafficMessages.Snapshot snapshot(Account owner, String labId) {
        return session(owner, labId).snapshot();
    }

    SandboxHandle sandbox(Account owner, String labId) {
        return sandboxes.ready(owner, labId);
    }

    private TrafficSession session(Account owner, String labId) {
        SandboxHandle handle = sandbox(owner, labId);
        Sandbox sandbox = handle.sandbox();
        // A new sandbox for the same learner and lab replaces the old one's session at once (outside
        // computeIfAbsent: the map must not change while it computes).
        sessions.values().removeIf(old -> {
            boolean replaced = sandbox.owner() != null && !old.sandboxId().equals(sandbox.id())
                    && java.util.Objects.equals(old.sandbox().owner(), sandbox.owner())
                    && java.util.Objects.equals(old.sandbox().labId(), sandbox.labId());
            if (replaced) {
                old.close();
            }
            return replaced;
        });
        return sessions.computeIfAbsent(sandbox.id(), id -> {
            // The sandbox's end closes its session, and the viewers are told to reconnect.
            handle.whenGone(() -> {
                TrafficSession ended = sessions.remove(id);
                if (ended != null) {
                    ended.close();
                }
            });
            return new TrafficSession(sandbox, handle.client(), properties, json, this::token);
        });
    }

    private String token(SandboxNode node) {
        SandboxProvisioner p = provisioner.getIfAvailable();
        if (p == null) {
            throw new IllegalStateException("sandboxes are off");
        }
        return p.readNodeFile(node, FlowStream.TOKEN_FILE);
    }

    private void closeIdle() {
        long cutoff = System.currentTimeMillis() - properties.idleClose().toMillis();
        sessions.values().removeIf(session -> {
            if (session.idleSince(cutoff)) {
                session.close();
                return true;
            }
            return false;
        });
    }

    @PreDestroy
    void shutdown() {
        ticker.shutdownNow();
        sessions.values().forEach(TrafficSession::close);
        sessions.clear();
    }
}
