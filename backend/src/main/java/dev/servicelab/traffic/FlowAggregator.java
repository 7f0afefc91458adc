package dev.servicelab.traffic;

import dev.servicelab.provisioner.flows.FlowEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the nodes' flow lines into counters. A flow is counted once, when its first answer comes
 * (or when none came within the reply timeout), with the pod that answered and the result. Readers
 * call {@link #accept} from their threads; {@link #flush} runs once per window and returns what
 * changed, so a burst of thousands of requests becomes one message.
 */
final class FlowAggregator {

    /** A flow whose answer has not come yet. */
    private record Pending(FlowEvent flow, long receivedNanos) {
    }

    /** A flow ready to be counted. */
    private record Done(FlowEvent flow, String result, long receivedMillis) {
    }

    /** What one window changed: its own counts, and the new totals of the keys it touched. */
    record Window(List<FlowCount> counts, List<FlowCount> totals, long flows, long maxLagMillis) {
        boolean isEmpty() {
            return counts.isEmpty();
        }
    }

    private final long replyTimeoutNanos;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /**
     * Flows that ended unanswered, by node and original tuple, held for the reply timeout: when the
     * client's retry of the same connection makes conntrack create a new entry (e.g. after its SYN met
     * a pod socket in TIME_WAIT), the failed attempt is no request of its own.
     */
    private final Map<String, Pending> failedAttempts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final Map<FlowCount.Key, Long> totals = new LinkedHashMap<>();
    private final AtomicLong observed = new AtomicLong();
    private long hidden;
    private long unknown;

    FlowAggregator(java.time.Duration replyTimeout) {
        this.replyTimeoutNanos = replyTimeout.toNanos();
    }

    void accept(String node, FlowEvent event) {
        String id = node + "/" + event.id();
        switch (event.kind()) {
            case NEW -> {
                failedAttempts.remove(node + "/" + event.source() + ">" + event.destination());
                pending.put(id, new Pending(event, System.nanoTime()));
            }
            case REPLY -> {
                Pending p = pending.remove(id);
                if (p != null) {
                    done.add(new Done(p.flow(), event.result(), event.time()));
                }
            }
            case END -> {
                Pending p = pending.remove(id);
                if (p != null && "unanswered".equals(event.result())) {
                    failedAttempts.put(node + "/" + p.flow().source() + ">" + p.flow().destination(), new Pending(p.flow(), System.nanoTime()));
                } else if (p != null) {
                    done.add(new Done(p.flow(), event.result() == null ? "ok" : event.result(), event.time()));
                }
                // An END for a flow never seen as NEW began before this reader connected: not counted,
                // as it was no part of the counts this session started from.
            }
            case STATS -> {
            }
        }
    }

    /** Counts what finished since the last window; called by one thread at a time. */
    synchronized Window flush(Resolver resolver) {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Pending> e = it.next();
            if (now - e.getValue().receivedNanos() > replyTimeoutNanos && pending.remove(e.getKey(), e.getValue())) {
                done.add(new Done(e.getValue().flow(), "unanswered", System.currentTimeMillis()));
            }
        }
        for (Iterator<Map.Entry<String, Pending>> it = failedAttempts.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Pending> e = it.next();
            if (now - e.getValue().receivedNanos() > replyTimeoutNanos && failedAttempts.remove(e.getKey(), e.getValue())) {
                done.add(new Done(e.getValue().flow(), "unanswered", System.currentTimeMillis()));
            }
        }
        Map<FlowCount.Key, Long> window = new LinkedHashMap<>();
        long flows = 0;
        long maxLag = 0;
        long wallNow = System.currentTimeMillis();
        Done d;
        while ((d = done.poll()) != null) {
            flows++;
            observed.incrementAndGet();
            maxLag = Math.max(maxLag, wallNow - d.flow().time());
            Resolver.Outcome outcome = resolver.resolve(d.flow(), d.result());
            if (outcome instanceof Resolver.Counted c) {
                window.merge(c.key(), 1L, Long::sum);
            } else if (outcome instanceof Resolver.Hidden) {
                hidden++;
            } else {
                unknown++;
            }
        }
        List<FlowCount> counts = new ArrayList<>(window.size());
        List<FlowCount> changed = new ArrayList<>(window.size());
        window.forEach((key, n) -> {
            counts.add(key.count(n));
            changed.add(key.count(totals.merge(key, n, Long::sum)));
        });
        return new Window(counts, changed, flows, flows == 0 ? 0 : maxLag);
    }

    /** Every counter since this session began: what a (re)connecting viewer starts from. */
    synchronized List<FlowCount> totals() {
        List<FlowCount> out = new ArrayList<>(totals.size());
        totals.forEach((key, n) -> out.add(key.count(n)));
        return out;
    }

    long observed() {
        return observed.get();
    }

    synchronized long hidden() {
        return hidden;
    }

    synchronized long unknown() {
        return unknown;
    }

    int pending() {
        return pending.size() + failedAttempts.size();
    }
}
