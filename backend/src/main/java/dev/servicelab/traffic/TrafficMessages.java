package dev.servicelab.traffic;

import java.util.List;

/** What the traffic socket sends; see frontend/src/traffic.js. */
public final class TrafficMessages {

    private TrafficMessages() {
    }

    /** First message on every connect: the whole state, so a reconnect resumes where things are. */
    public record Snapshot(String type, Topology topology, List<FlowCount> totals, TrafficStats stats, long windowMillis) {
        Snapshot(Topology topology, List<FlowCount> totals, TrafficStats stats, long windowMillis) {
            this("snapshot", topology, totals, stats, windowMillis);
        }
    }

    /** The topology changed (a pod came or went, a selector was edited, endpoints moved). */
    public record TopologyChanged(String type, Topology topology) {
        TopologyChanged(Topology topology) {
            this("topology", topology);
        }
    }

    /** One window: its counts, the new totals of the keys it touched, and the pipeline's stats. */
    public record Flows(String type, long time, List<FlowCount> window, List<FlowCount> totals, TrafficStats stats) {
        Flows(long time, List<FlowCount> window, List<FlowCount> totals, TrafficStats stats) {
            this("flows", time, window, totals, stats);
        }
    }

    public record Error(String type, String message) {
        Error(String message) {
            this("error", message);
        }
    }
}
