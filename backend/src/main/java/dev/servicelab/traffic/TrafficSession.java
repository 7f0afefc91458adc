package dev.servicelab.traffic;

import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.flows.FlowEvent;
import dev.servicelab.provisioner.flows.FlowStream;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live traffic of one sandbox, shared by everyone watching it: Kubernetes watches (Services,
 * pods, EndpointSlices) keep the topology, every node's flow stream feeds the counters, and once per
 * window what changed goes to the viewers as one message each.
 */
final class TrafficSession implements AutoCloseable {

    /** A viewer takes serialized messages and must not block (it queues). */
    interface Viewer {
        void send(String json);

        /** The session ended (its sandbox was replaced or the server stops): the viewer should reconnect. */
        default void closed() {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TrafficSession.class);

    private final Sandbox sandbox;
    private final TrafficProperties properties;
    private final JsonMapper json;
    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final List<FlowStream> streams = new ArrayList<>();
    private final FlowAggregator aggregator;
    private final TopologyBuilder builder;
    private final Map<String, TrafficStats.NodeStream> nodeStreams = new ConcurrentHashMap<>();
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private volatile Resolver resolver = Resolver.EMPTY;
    private Topology topology = Topology.EMPTY;
    private long lastSent;
    private volatile long lastViewerAt = System.currentTimeMillis();
    /** "Send N requests" sends and their flows, kept for checks; guarded by this. */
    private final TrafficRuns runs;

    /** @param client the sandbox's shared client (not closed here) */
    TrafficSession(Sandbox sandbox, KubernetesClient client, TrafficProperties properties, JsonMapper json,
            Function<SandboxNode, String> token) {
        this.sandbox = sandbox;
        this.properties = properties;
        this.json = json;
        this.aggregator = new FlowAggregator(properties.replyTimeout());
        // A send's last flows come within the reply timeout of its end, counted at the next windows.
        this.runs = new TrafficRuns(properties.replyTimeout().toMillis() + 3 * properties.window().toMillis());
        this.client = client;
        this.builder = new TopologyBuilder(properties.hiddenNamespaces());
        ResourceEventHandler<Object> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object obj) {
                dirty.set(true);
            }

            @Override
            public void onUpdate(Object oldObj, Object newObj) {
                dirty.set(true);
            }

            @Override
            public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
                dirty.set(true);
            }
        };
        this.services = client.services().inAnyNamespace().inform(cast(changed), 0);
        this.pods = client.pods().inAnyNamespace().inform(cast(changed), 0);
        this.slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(cast(changed), 0);
        for (SandboxNode node : sandbox.nodes()) {
            nodeStreams.put(node.name(), new TrafficStats.NodeStream(node.name(), node.role().label(), false, "connecting", 0, 0, 0));
            streams.add(new FlowStream(node, properties.flowPort(), token, new FlowStream.Listener() {
                @Override
                public void event(SandboxNode n, FlowEvent event) {
                    if (event.kind() == FlowEvent.Kind.STATS) {
                        nodeStreams.computeIfPresent(n.name(), (k, s) -> new TrafficStats.NodeStream(k, s.role(), true,
                                "connected", event.events(), event.overruns(), event.dropped()));
                    } else {
                        aggregator.accept(n.name(), event);
                    }
                }

                @Override
                public void connection(SandboxNode n, boolean up, String detail) {
                    nodeStreams.computeIfPresent(n.name(), (k, s) -> new TrafficStats.NodeStream(k, s.role(), up, detail,
                            s.events(), s.overruns(), s.dropped()));
                }
            }));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    String sandboxId() {
        return sandbox.id();
    }

    Sandbox sandbox() {
        return sandbox;
    }

    /** Adds a viewer and sends it the snapshot first, before any window it could otherwise see twice. */
    synchronized void add(Viewer viewer) {
        refreshAndTell();
        viewer.send(write(new TrafficMessages.Snapshot(topology, aggregator.totals(), stats(0),
                properties.window().toMillis())));
        viewers.add(viewer);
        lastViewerAt = System.currentTimeMillis();
    }

    synchronized void remove(Viewer viewer) {
        viewers.remove(viewer);
        lastViewerAt = System.currentTimeMillis();
    }

    boolean idleSince(long cutoffMillis) {
        return viewers.isEmpty() && lastViewerAt < cutoffMillis;
    }

    /** The current state, for callers that want it once (the API, tests). */
    synchronized TrafficMessages.Snapshot snapshot() {
        refreshAndTell();
        return new TrafficMessages.Snapshot(topology, aggregator.totals(), stats(0), properties.window().toMillis());
    }

    /** One window: topology if it changed, then the counts; a stats heartbeat at least every second. */
    synchronized void tick() {
        try {
            refreshAndTell();
            FlowAggregator.Window window = aggregator.flush(resolver);
            long now = System.currentTimeMillis();
            runs.attribute(window.counts(), now);
            if (!window.isEmpty() || window.flows() > 0 || now - lastSent >= 1000) {
                broadcast(write(new TrafficMessages.Flows(now, window.counts(), window.totals(), stats(window.maxLagMillis()))));
                lastSent = now;
            }
        } catch (RuntimeException e) {
            log.warn("Traffic view of sandbox {}: {}", sandbox.id(), e.toString());
        }
    }

    /** A send of "send N requests" begins (see {@link TrafficRuns#begin}); someone uses this session, panel open or not. */
    synchronized TrafficRuns.Run begin(String service, String requestVia) {
        lastViewerAt = System.currentTimeMillis();
        return runs.begin(service, requestVia, lastViewerAt);
    }

    synchronized void end(TrafficRuns.Run run, TrafficSummary summary) {
        lastViewerAt = System.currentTimeMillis();
        runs.end(run, summary, lastViewerAt);
    }

    synchronized void abandon(TrafficRuns.Run run) {
        runs.abandon(run);
    }

    /** The sends this session remembers, oldest first, as checks read them. */
    synchronized List<TrafficRun> runs() {
        return runs.list(System.currentTimeMillis());
    }

    /**
     * Waits (at most {@code timeout}) until every node's flow stream is connected, so that the flows of
     * requests sent next are all seen; false if one is not.
     */
    boolean awaitStreams(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!nodeStreams.values().stream().allMatch(TrafficStats.NodeStream::connected)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whoever refreshes the topology tells the viewers already there, so no change goes unsent. */
    private void refreshAndTell() {
        if (refreshTopology()) {
            broadcast(write(new TrafficMessages.TopologyChanged(topology)));
        }
    }

    private void broadcast(String message) {
        for (Viewer viewer : viewers) {
            viewer.send(message);
        }
    }

    private TrafficStats stats(long maxLag) {
        List<TrafficStats.NodeStream> nodes = new ArrayList<>(nodeStreams.values());
        nodes.sort(Comparator.comparing(TrafficStats.NodeStream::role).reversed());
        return new TrafficStats(nodes, aggregator.observed(), aggregator.hidden(), aggregator.unknown(), aggregator.pending(),
                maxLag);
    }

    private String write(Object message) {
        return json.writeValueAsString(message);
    }

    /** Rebuilds topology and resolver after a watch event; true when the topology changed. */
    private boolean refreshTopology() {
        if (!dirty.getAndSet(false)) {
            return false;
        }
        TopologyBuilder.Projection next = builder.build(services.getStore().list(), pods.getStore().list(),
                slices.getStore().list(), sandbox.nodes(), topology.version() + 1);
        // Pod IPs may have changed without changing what the view draws: the resolver follows either way.
        resolver = next.resolver();
        boolean changed = !sameContent(next.topology(), topology);
        if (changed) {
            topology = next.topology();
        }
        return changed;
    }

    private static boolean sameContent(Topology a, Topology b) {
        return a.services().equals(b.services()) && a.pods().equals(b.pods()) && a.unmatchedPods().equals(b.unmatchedPods())
                && a.nodes().equals(b.nodes());
    }

    @Override
    public void close() {
        viewers.forEach(Viewer::closed);
        streams.forEach(FlowStream::close);
        services.close();
        pods.close();
        slices.close();
    }
}
