package dev.servicelab.traffic;

import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.flows.FlowEvent;
import dev.servicelab.provisioner.flows.FlowStream;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Sandbox sandbox;
    private final TrafficProperties properties;
    private final JsonMapper json;
    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final List<FlowStream> streams = new ArrayList<>();
    private final FlowAggregator aggregator;
    private final Map<String, TrafficStats.NodeStream> nodeStreams = new ConcurrentHashMap<>();
    /** Pod IPs ever seen, so flows to a pod deleted a moment ago still name it. */
    private final Map<String, String> podsByIp = new ConcurrentHashMap<>();
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private volatile Resolver resolver = Resolver.EMPTY;
    private Topology topology = Topology.EMPTY;
    private long lastSent;
    private volatile long lastViewerAt = System.currentTimeMillis();

    /** @param client the sandbox's shared client (not closed here) */
    TrafficSession(Sandbox sandbox, KubernetesClient client, TrafficProperties properties, JsonMapper json,
            Function<SandboxNode, String> token) {
        this.sandbox = sandbox;
        this.properties = properties;
        this.json = json;
        this.aggregator = new FlowAggregator(properties.replyTimeout());
        this.client = client;
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
            if (!window.isEmpty() || window.flows() > 0 || now - lastSent >= 1000) {
                broadcast(write(new TrafficMessages.Flows(now, window.counts(), window.totals(), stats(window.maxLagMillis()))));
                lastSent = now;
            }
        } catch (RuntimeException e) {
            log.warn("Traffic view of sandbox {}: {}", sandbox.id(), e.toString());
        }
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
        Topology next = build();
        boolean changed = !sameContent(next, topology);
        if (changed) {
            topology = next;
        }
        return changed;
    }

    private static boolean sameContent(Topology a, Topology b) {
        return a.services().equals(b.services()) && a.pods().equals(b.pods()) && a.unmatchedPods().equals(b.unmatchedPods())
                && a.nodes().equals(b.nodes());
    }

    private Topology build() {
        Set<String> hiddenNamespaces = new HashSet<>(properties.hiddenNamespaces());
        List<Service> allServices = services.getStore().list();
        List<Pod> allPods = pods.getStore().list();
        List<EndpointSlice> allSlices = slices.getStore().list();

        for (Pod pod : allPods) {
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            if (ip != null && !ip.isBlank() && !Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
                podsByIp.put(ip, key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
            }
        }
        List<Pod> visiblePods = allPods.stream().filter(p -> !hiddenNamespaces.contains(p.getMetadata().getNamespace()))
                .filter(p -> p.getStatus() == null || !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName()))
                .toList();

        Map<String, String> byClusterIp = new HashMap<>();
        Map<Integer, String> byNodePort = new HashMap<>();
        Map<String, String> byIngress = new HashMap<>();
        Set<String> hidden = new HashSet<>();
        Map<String, List<String>> servicesOfPod = new HashMap<>();
        List<Topology.ServiceInfo> infos = new ArrayList<>();
        for (Service s : allServices) {
            String ns = s.getMetadata().getNamespace();
            String name = s.getMetadata().getName();
            String key = key(ns, name);
            boolean isHidden = hiddenNamespaces.contains(ns) || ("default".equals(ns) && "kubernetes".equals(name));
            if (isHidden) {
                hidden.add(key);
            }
            var spec = s.getSpec();
            List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
            List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                    : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            List<String> external = new ArrayList<>(spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs());
            if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null) {
                for (LoadBalancerIngress ingress : s.getStatus().getLoadBalancer().getIngress()) {
                    if (ingress.getIp() != null) {
                        external.add(ingress.getIp());
                    }
                }
            }
            for (ServicePort port : ports) {
                for (String ip : clusterIps) {
                    if (!"None".equals(ip)) {
                        byClusterIp.put(ip + ":" + port.getPort(), key);
                    }
                }
                if (port.getNodePort() != null) {
                    byNodePort.put(port.getNodePort(), key);
                }
                for (String ip : external) {
                    byIngress.put(ip + ":" + port.getPort(), key);
                }
            }
            if (isHidden) {
                continue;
            }
            Map<String, String> selector = spec.getSelector() == null ? Map.of() : spec.getSelector();
            List<String> selected = new ArrayList<>();
            if (!selector.isEmpty()) {
                for (Pod pod : visiblePods) {
                    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
                    if (ns.equals(pod.getMetadata().getNamespace()) && labels.entrySet().containsAll(selector.entrySet())) {
                        String podKey = key(ns, pod.getMetadata().getName());
                        selected.add(podKey);
                        servicesOfPod.computeIfAbsent(podKey, k -> new ArrayList<>()).add(key);
                    }
                }
            }
            List<Topology.EndpointInfo> endpoints = new ArrayList<>();
            for (EndpointSlice slice : allSlices) {
                Map<String, String> labels = slice.getMetadata().getLabels();
                if (!ns.equals(slice.getMetadata().getNamespace()) || labels == null || !name.equals(labels.get(SERVICE_NAME_LABEL))
                        || slice.getEndpoints() == null) {
                    continue;
                }
                List<Integer> slicePorts = slice.getPorts() == null ? List.of()
                        : slice.getPorts().stream().map(EndpointPort::getPort).filter(Objects::nonNull).toList();
                for (Endpoint e : slice.getEndpoints()) {
                    if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                        continue;
                    }
                    String ip = e.getAddresses().get(0);
                    String pod = e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())
                            ? key(Objects.requireNonNullElse(e.getTargetRef().getNamespace(), ns), e.getTargetRef().getName())
                            : podsByIp.get(ip);
                    boolean ready = e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady();
                    boolean terminating = e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getTerminating());
                    endpoints.add(new Topology.EndpointInfo(ip, pod, ready, terminating, slicePorts));
                }
            }
            endpoints.sort(Comparator.comparing(Topology.EndpointInfo::ip));
            String clusterIp = spec.getClusterIP();
            infos.add(new Topology.ServiceInfo(key, ns, name, spec.getType(), clusterIp, "None".equals(clusterIp),
                    spec.getExternalName(), List.copyOf(external),
                    ports.stream().map(p -> new Topology.PortInfo(p.getName(), p.getProtocol(), p.getPort(),
                            p.getTargetPort() == null ? null : p.getTargetPort().getIntVal() != null
                                    ? String.valueOf(p.getTargetPort().getIntVal()) : p.getTargetPort().getStrVal(),
                            p.getNodePort())).toList(),
                    Map.copyOf(selector), List.copyOf(selected), List.copyOf(endpoints)));
        }
        infos.sort(Comparator.comparing(Topology.ServiceInfo::key));

        List<Topology.PodInfo> podInfos = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (Pod pod : visiblePods) {
            String podKey = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            List<String> of = servicesOfPod.getOrDefault(podKey, List.of());
            boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                    .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            podInfos.add(new Topology.PodInfo(podKey, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getStatus() == null ? null : pod.getStatus().getPodIP(), pod.getSpec().getNodeName(),
                    pod.getStatus() == null ? null : pod.getStatus().getPhase(), ready,
                    pod.getMetadata().getDeletionTimestamp() != null, List.copyOf(of)));
            if (of.isEmpty()) {
                unmatched.add(podKey);
            }
        }
        Map<String, String> nodesByIp = new HashMap<>();
        List<Topology.NodeInfo> nodes = new ArrayList<>();
        for (SandboxNode node : sandbox.nodes()) {
            if (node.address() != null) {
                nodesByIp.put(node.address(), node.role().label() + " node");
            }
            nodes.add(new Topology.NodeInfo(node.name(), node.role().label(), node.address()));
        }
        resolver = new Resolver(Map.copyOf(podsByIp), byClusterIp, byNodePort, byIngress, nodesByIp, hidden);
        return new Topology(List.copyOf(infos), List.copyOf(podInfos), List.copyOf(unmatched), List.copyOf(nodes),
                topology.version() + 1);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
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
