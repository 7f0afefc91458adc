package dev.servicelab.traffic;

import java.util.List;

/**
 * The pipeline's health as viewers see it: each node's stream (connected, lines its observer made,
 * conntrack overruns = events the kernel dropped, lines this server was too slow for), flows counted,
 * flows to hidden (system) or unknown Services, flows waiting for an answer, and the largest delay in
 * the last window from the node seeing a flow's answer to this server counting it.
 */
public record TrafficStats(List<NodeStream> nodes, long observed, long hidden, long unknown, int pending,
        long maxLagMillis) {

    public record NodeStream(String node, String role, boolean connected, String detail, long events, long overruns,
            long dropped) {
    }

    /** Whether any node reported lost events: counts may then be short. */
    public boolean lossy() {
        return nodes.stream().anyMatch(n -> n.overruns() > 0 || n.dropped() > 0);
    }
}
