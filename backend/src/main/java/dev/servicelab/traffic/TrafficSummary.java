package dev.servicelab.traffic;

import java.util.Map;

/**
 * What "send N requests" did: where the requests went (through which node's nodePort, for
 * {@code nodePort}), how many were sent and answered (any HTTP status), how many of the unanswered
 * ones timed out without connecting (dropped rather than refused), the status codes ("000" = no
 * answer), and how long it took. The traffic view shows which pods answered.
 */
public record TrafficSummary(String service, String namespace, String via, String node, String target, int sent,
        int answered, int failed, int timedOut, Map<String, Integer> statuses, long durationMillis) {

    /** The same summary, through that node's nodePort. */
    TrafficSummary through(String nodeRole) {
        return new TrafficSummary(service, namespace, via, nodeRole, target, sent, answered, failed, timedOut, statuses,
                durationMillis);
    }
}
