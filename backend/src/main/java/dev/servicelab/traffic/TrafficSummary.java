package dev.servicelab.traffic;

import java.util.Map;

/**
 * What "send N requests" did: where the requests went, how many were sent and answered (any HTTP
 * status), the status codes ("000" = no answer), and how long it took. The traffic view shows which
 * pods answered.
 */
public record TrafficSummary(String service, String namespace, String via, String target, int sent, int answered,
        int failed, Map<String, Integer> statuses, long durationMillis) {
}
