package dev.servicelab.traffic;

/**
 * How many flows went one way: from a source (a pod, a node, or outside), addressed to a Service
 * through its ClusterIP, a nodePort or a LoadBalancer's external IP, answered by an endpoint (a pod),
 * with a result: {@code ok}, {@code reset} (refused: nothing listens), {@code unanswered}, or
 * {@code no-endpoint} (nothing to DNAT to).
 */
public record FlowCount(String source, String sourceKind, String via, String service, String endpoint, String result,
        long count) {

    FlowCount plus(long n) {
        return new FlowCount(source, sourceKind, via, service, endpoint, result, count + n);
    }

    Key key() {
        return new Key(source, sourceKind, via, service, endpoint, result);
    }

    record Key(String source, String sourceKind, String via, String service, String endpoint, String result) {
        FlowCount count(long n) {
            return new FlowCount(source, sourceKind, via, service, endpoint, result, n);
        }
    }
}
