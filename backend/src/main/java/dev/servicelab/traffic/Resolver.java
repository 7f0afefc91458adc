package dev.servicelab.traffic;

import dev.servicelab.provisioner.flows.FlowEvent;
import java.util.Map;
import java.util.Set;

/**
 * Names the addresses of a flow from the topology: which Service the original destination is
 * (ClusterIP:port, a node's nodePort, a LoadBalancer ingress IP:port), which pod answered, and who
 * asked. Built afresh whenever the topology changes; podsByIp remembers deleted pods, so a flow that
 * reached a pod just before it went away is still named.
 */
record Resolver(Map<String, String> podsByIp, Map<String, String> servicesByClusterIp, Map<Integer, String> servicesByNodePort,
        Map<String, String> servicesByIngress, Map<String, String> nodesByIp, Set<String> hiddenServices) {

    static final Resolver EMPTY = new Resolver(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Set.of());

    /** What came out: a key to count, or why not. */
    sealed interface Outcome permits Counted, Hidden, Unknown {
    }

    record Counted(FlowCount.Key key) implements Outcome {
    }

    /** To a Service of the platform or of Kubernetes itself (DNS, the API). */
    record Hidden() implements Outcome {
    }

    /** To no Service the topology knows (yet). */
    record Unknown() implements Outcome {
    }

    Outcome resolve(FlowEvent flow, String result) {
        String dst = flow.destination();
        String dstIp = FlowEvent.ip(dst);
        String via;
        String service = servicesByClusterIp.get(dst);
        if (service != null) {
            via = "clusterIP";
        } else if ((service = servicesByIngress.get(dst)) != null) {
            via = "loadBalancer";
        } else if (nodesByIp.containsKey(dstIp) && (service = servicesByNodePort.get(FlowEvent.port(dst))) != null) {
            via = "nodePort";
        } else {
            return new Unknown();
        }
        if (hiddenServices.contains(service)) {
            return new Hidden();
        }
        String srcIp = FlowEvent.ip(flow.source());
        String source;
        String sourceKind;
        if (podsByIp.containsKey(srcIp)) {
            source = podsByIp.get(srcIp);
            sourceKind = "pod";
        } else if (nodesByIp.containsKey(srcIp)) {
            source = nodesByIp.get(srcIp);
            sourceKind = "node";
        } else {
            source = srcIp;
            sourceKind = "outside";
        }
        String toIp = FlowEvent.ip(flow.to());
        String endpoint;
        if (flow.to() == null || flow.to().equals(dst)) {
            endpoint = "-";
            result = "no-endpoint"; // kube-proxy had nothing to DNAT to
        } else {
            endpoint = podsByIp.getOrDefault(toIp, flow.to());
        }
        return new Counted(new FlowCount.Key(source, sourceKind, via, service, endpoint, result));
    }
}
