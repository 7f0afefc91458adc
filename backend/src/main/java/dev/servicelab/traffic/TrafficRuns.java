package dev.servicelab.traffic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The traffic panel's recent sends ("send N requests") to one sandbox, and the flows counted for each:
 * a window's counts go to the newest send still open (being sent, or ended less than the grace ago,
 * while late answers and reply timeouts come in) to the same Service, the same way in, from the kind of
 * client the panel uses (its probe pod for the ClusterIP, else outside). Keeps the last {@link #KEPT}
 * sends, none ended longer than {@link #MAX_AGE_MILLIS} ago. Not thread-safe: the session holds its lock.
 */
final class TrafficRuns {

    static final int KEPT = 100;
    static final long MAX_AGE_MILLIS = 15 * 60_000L;

    /** A send being made or counted. */
    static final class Run {
        private final long started;
        private final String service;
        private final String via;
        private long ended;
        private TrafficSummary summary;
        private final Map<String, Long> answeredBy = new TreeMap<>();
        private final Map<String, Long> failedFlows = new TreeMap<>();

        private Run(long started, String service, String via) {
            this.started = started;
            this.service = service;
            this.via = via;
        }

        private boolean matches(FlowCount count) {
            return service.equals(count.service()) && via.equals(count.via())
                    && ("clusterIP".equals(via) ? "pod".equals(count.sourceKind()) : "outside".equals(count.sourceKind()));
        }

        private void count(FlowCount c) {
            if ("ok".equals(c.result())) {
                answeredBy.merge(c.endpoint(), c.count(), Long::sum);
            } else {
                failedFlows.merge(c.result(), c.count(), Long::sum);
            }
        }
    }

    private final Deque<Run> runs = new ArrayDeque<>();
    private final long graceMillis;

    /** @param graceMillis how long after a send ended its flows are still counted (reply timeout and a few windows) */
    TrafficRuns(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    /** A send begins: {@code service} is "namespace/name", {@code requestVia} the request's way (clientPod, nodePort, tunnel). */
    Run begin(String service, String requestVia, long now) {
        while (runs.size() >= KEPT || !runs.isEmpty() && runs.peekFirst().ended > 0
                && now - runs.peekFirst().ended > MAX_AGE_MILLIS) {
            runs.pollFirst();
        }
        Run run = new Run(now, service, TrafficRun.flowVia(requestVia));
        runs.addLast(run);
        return run;
    }

    /** The send's requests are all answered or given up; its flows are still counted for the grace. */
    void end(Run run, TrafficSummary summary, long now) {
        run.ended = now;
        run.summary = summary;
    }

    /** The send was refused before sending anything: forgotten. */
    void abandon(Run run) {
        runs.remove(run);
    }

    /** Gives a window's counts to the newest open send each belongs to; counts of no send are left alone. */
    void attribute(List<FlowCount> counts, long now) {
        for (FlowCount c : counts) {
            for (Iterator<Run> it = runs.descendingIterator(); it.hasNext();) {
                Run run = it.next();
                if (open(run, now) && run.matches(c)) {
                    run.count(c);
                    break;
                }
            }
        }
    }

    /** The sends remembered, oldest first. */
    List<TrafficRun> list(long now) {
        List<TrafficRun> out = new ArrayList<>(runs.size());
        for (Run run : runs) {
            TrafficSummary s = run.summary;
            out.add(new TrafficRun(run.started, run.ended, run.service, run.via, s == null ? null : s.node(),
                    s == null ? 0 : s.sent(), s == null ? 0 : s.answered(), s == null ? 0 : s.timedOut(), run.answeredBy,
                    run.failedFlows, open(run, now)));
        }
        return out;
    }

    private boolean open(Run run, long now) {
        return run.ended == 0 || now - run.ended <= graceMillis;
    }
}
