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
    private final TrafficGenerator generator;
    private final Map<String, TrafficSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(1, r -> {
        Thread thread = new Thread(r, "traffic-ticker");
        thread.setDaemon(true);
        return thread;
    });

    TrafficService(SandboxService sandboxes, ObjectProvider<SandboxProvisioner> provisioner, TrafficProperties properties,
            JsonMapper json, Jobs jobs, TrafficGenerator generator) {
        this.sandboxes = sandboxes;
        this.generator = generator;
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

    /** How long "send N requests" waits for the nodes' flow streams of a session it just opened. */
    private static final java.time.Duration STREAMS_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * "Send N requests", as the traffic panel does: the sandbox's traffic session is opened first (if no
     * one watches) and its flow streams connected, so that the flows of these requests are counted, and
     * the run is remembered for {@code flows} checks ({@link #runs}).
     */
    public TrafficSummary send(SandboxHandle handle, TrafficRequest request) {
        TrafficSession session = session(handle);
        if (!session.awaitStreams(STREAMS_WAIT)) {
            log.info("Traffic of sandbox {}: sending before every node's flow stream connected", handle.id());
        }
        String namespace = request.namespace() == null || request.namespace().isBlank() ? "default" : request.namespace();
        TrafficRuns.Run run = session.begin(namespace + "/" + request.service(),
                request.via() == null ? "clientPod" : request.via());
        try {
            TrafficSummary summary = generator.send(handle, request);
            session.end(run, summary);
            return summary;
        } catch (RuntimeException e) {
            session.abandon(run);
            throw e;
        }
    }

    /**
     * The "send N requests" runs this server remembers for a sandbox and what its nodes saw of them,
     * oldest first; none when nobody sent any here (or the sandbox's traffic session was closed, a while
     * after its last use).
     */
    public java.util.List<TrafficRun> runs(Sandbox sandbox) {
        TrafficSession session = sessions.get(sandbox.id());
        return session == null ? java.util.List.of() : session.runs();
    }

    private TrafficSession session(Account owner, String labId) {
        return session(sandbox(owner, labId));
    }

    private TrafficSession session(SandboxHandle handle) {
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
