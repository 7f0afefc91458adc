package dev.servicelab.traffic;

import java.util.Map;

/**
 * One "send N requests" of the traffic panel and what the platform saw of it: the requests it sent
 * and their answers as the client saw them, and the flows the nodes' observer counted for the same
 * Service the same way in while it ran, by the pod that answered ({@code answeredBy}) or by result
 * when no pod did ({@code failedFlows}: reset, unanswered, no-endpoint). Times are the server's clock
 * in ms; {@code via} is the flow's way in (clusterIP, nodePort, loadBalancer); {@code node} the role of
 * the node whose nodePort was entered (null otherwise); {@code counting} while answers may still be
 * counted. Packets dropped before a connection exists (a Local policy without a local endpoint) leave
 * no flow on the node: those requests are only in {@code timedOut}.
 */
public record TrafficRun(long startedMillis, long endedMillis, String service, String via, String node, int sent,
        int answered, int timedOut, Map<String, Long> answeredBy, Map<String, Long> failedFlows, boolean counting) {

    public TrafficRun {
        answeredBy = Map.copyOf(answeredBy);
        failedFlows = Map.copyOf(failedFlows);
    }

    /** The flow view's name for a way "send N requests" takes. */
    static String flowVia(String requestVia) {
        return switch (requestVia) {
            case "nodePort" -> "nodePort";
            case "tunnel" -> "loadBalancer";
            default -> "clusterIP";
        };
    }
}
