package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import dev.servicelab.provisioner.SandboxManager;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.servicelab.jobs.Jobs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;

/**
 * What {@code minikube tunnel} does, for sandboxes: while a learner's tunnel runs, every LoadBalancer
 * Service without an external IP gets one (the server node's address, where kube-proxy answers for
 * it), and loses it again when the tunnel stops.
 *
 * <p>A running tunnel is a row in the database ({@link JdbcTunnelLeases}), so every replica answers
 * {@link #running} the same and the tunnel outlives the replica that started it. The replica holding
 * a tunnel's lease renews it every tick and does the assigning; each tick every replica with
 * sandboxes also takes over tunnels whose lease ran out (their replica crashed or was stopped), and
 * a replica that shuts down hands its leases over at once.
 */
@org.springframework.stereotype.Service
public class TunnelService {

    private static final Logger log = LoggerFactory.getLogger(TunnelService.class);

    /** A tunnel this replica holds: its sandbox and the subscription that ends the tunnel with the sandbox. */
    private record Tunnel(SandboxHandle sandbox, SandboxHandles.Subscription ending) {
    }

    private final JdbcTunnelLeases leases;
    private final ObjectProvider<SandboxManager> manager;
    private final SandboxHandles handles;
    private final Map<String, Tunnel> held = new ConcurrentHashMap<>();
    /** Orders lease changes with this map: a tick must not drop a tunnel that start() is recording. */
    private final Object leaseLock = new Object();
    private boolean handedOver;

    TunnelService(Jobs jobs, JdbcTunnelLeases leases, ObjectProvider<SandboxManager> manager, SandboxHandles handles) {
        this.leases = leases;
        this.manager = manager;
        this.handles = handles;
        jobs.every("tunnels", TunnelProperties.TICK, this::tick);
    }

    public void start(SandboxHandle sandbox) {
        synchronized (leaseLock) {
            // Another live replica may hold it: then that one assigns, and this one only helps once below.
            if (leases.start(sandbox.id()) && !held.containsKey(sandbox.id())) {
                hold(sandbox);
            }
        }
        assign(sandbox);
    }

    public void stop(SandboxHandle sandbox) {
        synchronized (leaseLock) {
            leases.stop(sandbox.id());
            drop(sandbox.id());
        }
        clear(sandbox);
    }

    /** Whether the sandbox's tunnel runs, on whichever replica holds it. */
    public boolean running(String sandboxId) {
        return leases.running(sandboxId);
    }

    /** This replica is stopping: another replica takes its tunnels over at its next tick. */
    @EventListener(ContextClosedEvent.class)
    void handOver() {
        synchronized (leaseLock) {
            handedOver = true;
            int released = leases.release();
            if (released > 0) {
                log.info("Shutting down: handed {} tunnel(s) over to the other replicas", released);
            }
            new ArrayList<>(held.keySet()).forEach(this::drop);
        }
    }

    /** Renews and takes over leases, then assigns external IPs for every tunnel this replica holds. */
    void tick() {
        Set<String> ours = new HashSet<>();
        List<Tunnel> stoppedElsewhere = new ArrayList<>();
        RuntimeException failure = null;
        synchronized (leaseLock) {
            if (handedOver) {
                return;
            }
            try {
                ours.addAll(leases.renew());
                if (manager.getIfAvailable() != null) { // without sandboxes this replica could serve none
                    Set<String> taken = leases.takeOverExpired();
                    taken.forEach(id -> log.info("Took over the tunnel of sandbox {}: its replica stopped renewing it", id));
                    ours.addAll(taken);
                }
                for (String id : new ArrayList<>(held.keySet())) {
                    if (!ours.contains(id)) {
                        Tunnel tunnel = drop(id);
                        if (tunnel != null && !leases.running(id)) {
                            stoppedElsewhere.add(tunnel);
                        }
                    }
                }
            } catch (RuntimeException e) {
                // The database is away: keep serving what this replica holds, and report the failure below.
                failure = e;
                ours.addAll(held.keySet());
            }
        }
        // Stopped through another replica, maybe just after this one assigned: take back what it gave.
        for (Tunnel tunnel : stoppedElsewhere) {
            try {
                clear(tunnel.sandbox());
            } catch (RuntimeException e) {
                log.debug("Tunnel of sandbox {} stopped elsewhere: {}", tunnel.sandbox().id(), e.getMessage());
            }
        }
        for (String id : ours) {
            try {
                Tunnel tunnel = held.get(id);
                SandboxHandle sandbox = tunnel != null ? tunnel.sandbox() : adopt(id).orElse(null);
                if (sandbox != null && !frozen(id)) {
                    assign(sandbox);
                }
            } catch (RuntimeException e) {
                log.debug("Tunnel of sandbox {}: {}", id, e.getMessage());
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Reaches a sandbox whose tunnel this replica now holds without having started it. A tunnel whose
     * sandbox ended, or was never the platform's (a test's), has nobody to serve it: it goes. One that
     * cannot be reached right now is tried again at the next tick.
     */
    private Optional<SandboxHandle> adopt(String sandboxId) {
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            return Optional.empty();
        }
        Optional<SandboxRecord> record = m.record(sandboxId);
        if (record.isEmpty() || !record.get().state().active()) {
            log.info("Tunnel of sandbox {} ends: the sandbox is gone", sandboxId);
            synchronized (leaseLock) {
                leases.stop(sandboxId);
            }
            return Optional.empty();
        }
        Optional<SandboxHandle> sandbox = m.connection(sandboxId).map(handles::handle);
        synchronized (leaseLock) {
            if (sandbox.isPresent() && !handedOver && !held.containsKey(sandboxId)) {
                hold(sandbox.get());
            }
        }
        return sandbox;
    }

    /**
     * A frozen sandbox's API server accepts connections and never answers: asking it would hold this
     * tick until the client's timeout, long enough for the other leases to run out. It gets its
     * external IPs once it wakes.
     */
    private boolean frozen(String sandboxId) {
        SandboxManager m = manager.getIfAvailable();
        return m != null && m.record(sandboxId).map(r -> r.state() == SandboxState.FROZEN).orElse(false);
    }

    private void hold(SandboxHandle sandbox) {
        String id = sandbox.id();
        held.put(id, new Tunnel(sandbox, sandbox.whenGone(() -> {
            synchronized (leaseLock) {
                leases.stop(id);
                drop(id);
            }
        })));
    }

    private Tunnel drop(String sandboxId) {
        Tunnel tunnel = held.remove(sandboxId);
        if (tunnel != null) {
            tunnel.ending().close();
        }
        return tunnel;
    }

    private void assign(SandboxHandle sandbox) {
        String address = sandbox.sandbox().server().address();
        KubernetesClient client = sandbox.client();
        for (Service service : loadBalancers(client)) {
            if (!hasIngress(service)) {
                setIngress(client, service, List.of(new io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder().withIp(address).withIpMode("VIP").build()));
                log.info("Tunnel of sandbox {}: {}/{} gets external IP {}", sandbox.id(),
                        service.getMetadata().getNamespace(), service.getMetadata().getName(), address);
            }
        }
    }

    private void clear(SandboxHandle sandbox) {
        KubernetesClient client = sandbox.client();
        for (Service service : loadBalancers(client)) {
            if (hasIngress(service)) {
                setIngress(client, service, List.of());
            }
        }
    }

    private static List<Service> loadBalancers(KubernetesClient client) {
        return client.services().inAnyNamespace().list().getItems().stream()
                .filter(s -> "LoadBalancer".equals(s.getSpec().getType())).toList();
    }

    private static boolean hasIngress(Service service) {
        return service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null
                && !service.getStatus().getLoadBalancer().getIngress().isEmpty();
    }

    private static void setIngress(KubernetesClient client, Service service, List<LoadBalancerIngress> ingress) {
        client.services().inNamespace(service.getMetadata().getNamespace()).withName(service.getMetadata().getName())
                .editStatus(s -> new ServiceBuilder(s).editOrNewStatus().editOrNewLoadBalancer().withIngress(ingress)
                        .endLoadBalancer().endStatus().build());
    }
}
