package dev.servicelab.traffic;

import java.util.List;
import java.util.Map;

/**
 * The learner's Services as the traffic view draws them: each Service with the pods its selector
 * matches and its endpoints (from EndpointSlices, which kube-proxy programs from), and the pods no
 * Service selects. Keys are "namespace/name".
 */
public record Topology(List<ServiceInfo> services, List<PodInfo> pods, List<String> unmatchedPods, List<NodeInfo> nodes,
        long version) {

    /** spec.type, ClusterIP ("None" when headless), externalName, external addresses, ports. */
    public record ServiceInfo(String key, String namespace, String name, String type, String clusterIP, boolean headless,
            String externalName, List<String> externalIPs, List<PortInfo> ports, Map<String, String> selector,
            List<String> pods, List<EndpointInfo> endpoints) {
    }

    public record PortInfo(String name, String protocol, int port, String targetPort, Integer nodePort) {
    }

    /** One endpoint address; pod is null for hand-written endpoints that name no pod. */
    public record EndpointInfo(String ip, String pod, boolean ready, boolean terminating, List<Integer> ports) {
    }

    public record PodInfo(String key, String namespace, String name, String ip, String node, String phase, boolean ready,
            boolean terminating, List<String> services) {
    }

    public record NodeInfo(String name, String role, String address) {
    }

    public static final Topology EMPTY = new Topology(List.of(), List.of(), List.of(), List.of(), 0);
}
