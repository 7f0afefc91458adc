package dev.servicelab.traffic;

import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Projects a cluster's Services, pods and EndpointSlices onto what the traffic view draws
 * ({@link Topology}) and the {@link Resolver} that names the addresses of flows. No Kubernetes client:
 * the session feeds it its informers' stores. Its one memory is the pod IPs it has seen, so that a
 * flow to a pod deleted a moment ago still names it. Not thread-safe; the session calls it under its lock.
 */
final class TopologyBuilder {

    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** One projection: the topology to draw and the resolver for flows. */
    record Projection(Topology topology, Resolver resolver) {
    }

    private final Set<String> hiddenNamespaces;
    private final Map<String, String> podsByIp = new HashMap<>();

    /** @param hiddenNamespaces namespaces (the platform's, kube-system) whose objects are not drawn */
    TopologyBuilder(Collection<String> hiddenNamespaces) {
        this.hiddenNamespaces = Set.copyOf(hiddenNamespaces);
    }

    /**
     * The topology of these objects (pods and Services of hidden namespaces only resolve flows, they
     * are not drawn) and the resolver for flows between them.
     */
    Projection build(List<Service> allServices, List<Pod> allPods, List<EndpointSlice> allSlices, List<SandboxNode> sandboxNodes,
            long version) {
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
        for (SandboxNode node : sandboxNodes) {
            if (node.address() != null) {
                nodesByIp.put(node.address(), node.role().label() + " node");
            }
            nodes.add(new Topology.NodeInfo(node.name(), node.role().label(), node.address()));
        }
        return new Projection(new Topology(List.copyOf(infos), List.copyOf(podInfos), List.copyOf(unmatched), List.copyOf(nodes),
                version), new Resolver(Map.copyOf(podsByIp), byClusterIp, byNodePort, byIngress, nodesByIp, hidden));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
