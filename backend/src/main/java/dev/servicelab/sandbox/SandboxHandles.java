package dev.servicelab.sandbox;

import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxState;
import dev.servicelab.jobs.Jobs;
import jakarta.annotation.PreDestroy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The one way from a learner to their ready cluster. Keeps one Kubernetes client per sandbox for all
 * of this server's shells, checks, traffic views and tunnels (closed when the sandbox ends), tells
 * subscribers when a sandbox ends (at once for ends this server makes, within one health interval for
 * ends another replica makes), and records learners' activity without writing to the database on
 * every keystroke.
 */
@Component
public class SandboxHandles implements org.springframework.beans.factory.SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(SandboxHandles.class);

    /** Interest in a sandbox's end; closing it withdraws the interest. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final ObjectProvider<SandboxManager> manager;
    private final SandboxProperties properties;
    private final Clock clock;
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    private final Map<String, List<Runnable>> endings = new ConcurrentHashMap<>();
    /** Activity seen but not yet written, and when each sandbox's activity was last written. */
    private final Map<String, Instant> pendingActivity = new ConcurrentHashMap<>();
    private final Map<String, Instant> writtenActivity = new ConcurrentHashMap<>();

    SandboxHandles(ObjectProvider<SandboxManager> manager, SandboxProperties properties, Jobs jobs) {
        this.manager = manager;
        this.properties = properties;
        this.clock = Clock.systemUTC();
        jobs.every("sandbox-handles", properties.healthInterval(), this::sweep);
    }

    /** Listens once every bean exists: the manager's preparer (lab setup) itself needs handles. */
    @Override
    public void afterSingletonsInstantiated() {
        manager.ifAvailable(m -> m.onChange(record -> {
            if (!record.state().active()) {
                end(record.sandboxId());
            }
        }));
    }

    /** The learner's ready sandbox for a lab, if there is one. */
    public Optional<SandboxHandle> find(String owner, String labId) {
        SandboxManager m = manager();
        return m.current(owner, labId).filter(r -> r.state() == SandboxState.READY)
                .flatMap(r -> m.connection(r.sandboxId())).map(this::handle);
    }

    /** The learner's ready sandbox for a lab, or the one "not ready" problem. */
    public SandboxHandle require(String owner, String labId) {
        return find(owner, labId).orElseThrow(SandboxNotReadyException::forLab);
    }

    /** A hint revealed is work on the lab, like a keystroke. */
    @org.springframework.context.event.EventListener
    void hintRevealed(dev.servicelab.progress.HintRevealedEvent event) {
        if (manager.getIfAvailable() != null) {
            find(event.username(), event.labId()).ifPresent(SandboxHandle::active);
        }
    }

    /** The handle of a sandbox this server already knows to be running. */
    public SandboxHandle handle(Sandbox sandbox) {
        return new SandboxHandle(sandbox, client(sandbox), this);
    }

    private KubernetesClient client(Sandbox sandbox) {
        return clients.computeIfAbsent(sandbox.id(), id -> Kubeconfigs.client(sandbox.kubeconfig()));
    }

    /** How many sandboxes this server holds a client for (one per sandbox, however many users). */
    public int openClients() {
        return clients.size();
    }

    void active(String sandboxId) {
        pendingActivity.put(sandboxId, clock.instant());
    }

    /** Writes activity now rather than at the next sweep (a page asking to keep its cluster). */
    void flushActivity(String sandboxId) {
        Instant at = pendingActivity.remove(sandboxId);
        if (at != null) {
            write(sandboxId, at);
        }
    }

    Subscription whenGone(String sandboxId, Runnable onEnd) {
        List<Runnable> list = endings.computeIfAbsent(sandboxId, id -> new CopyOnWriteArrayList<>());
        list.add(onEnd);
        return () -> list.remove(onEnd);
    }

    /**
     * Writes pending activity (each sandbox at most once per activity interval) and ends what another
     * replica ended: anything this server holds whose record is no longer active.
     */
    void sweep() {
        Instant now = clock.instant();
        for (var entry : List.copyOf(pendingActivity.entrySet())) {
            Instant written = writtenActivity.get(entry.getKey());
            if (written == null || !written.plus(properties.activityWriteInterval()).isAfter(now)) {
                pendingActivity.remove(entry.getKey(), entry.getValue());
                write(entry.getKey(), entry.getValue());
            }
        }
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            return;
        }
        Set<String> held = new java.util.HashSet<>(clients.keySet());
        held.addAll(endings.keySet());
        if (held.isEmpty()) {
            return;
        }
        // Only what the ledger knows to have ended: a sandbox made outside the manager (a test's) has no record.
        held.stream().filter(id -> m.record(id).map(r -> !r.state().active()).orElse(false)).forEach(this::end);
    }

    private void write(String sandboxId, Instant at) {
        SandboxManager m = manager.getIfAvailable();
        if (m != null) {
            m.touch(sandboxId, at);
            writtenActivity.put(sandboxId, at);
        }
    }

    private void end(String sandboxId) {
        List<Runnable> subscribers = endings.remove(sandboxId);
        pendingActivity.remove(sandboxId);
        writtenActivity.remove(sandboxId);
        for (Runnable r : subscribers == null ? List.<Runnable>of() : new ArrayList<>(subscribers)) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("Ending what used sandbox {} failed: {}", sandboxId, e.getMessage());
            }
        }
        KubernetesClient client = clients.remove(sandboxId);
        if (client != null) {
            client.close();
        }
    }

    private SandboxManager manager() {
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            throw new SandboxService.SandboxesDisabledException();
        }
        return m;
    }

    @PreDestroy
    void shutdown() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
    }
}
