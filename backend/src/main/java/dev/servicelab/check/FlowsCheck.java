package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.traffic.TrafficRun;
import dev.servicelab.traffic.TrafficService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * {@code flows}: grades the learner's last send from the lab page's traffic panel to the Service (the
 * way in and node the check names) within the last {@code windowSeconds} (60 by default), from what the
 * platform itself saw of it: the requests the panel sent and their answers, and the pods the nodes'
 * flow observer saw answer them (the same counts the traffic view draws). Nothing the learner can
 * write. The last send alone is graded, so that one sent before a fix does not blur the one after it.
 * Once it is counted, a mismatch is definitive: waiting sends nothing new, the learner must send
 * again; while its last answers may still come in, it is "not yet".
 */
@Component
class FlowsCheck implements Check {

    static final int DEFAULT_WINDOW_SECONDS = 60;

    private final TrafficService traffic;

    FlowsCheck(TrafficService traffic) {
        this.traffic = traffic;
    }

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.FLOWS);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        return grade(spec, traffic.runs(context.sandbox()), System.currentTimeMillis());
    }

    /** What these runs of the panel, seen at {@code now}, say about the check. */
    static Outcome grade(CheckSpec spec, List<TrafficRun> runs, long now) {
        String name = spec.text("service");
        String service = spec.namespace() + "/" + name;
        String via = spec.text("via");
        String node = spec.text("node");
        int window = spec.integer("windowSeconds").orElse(DEFAULT_WINDOW_SECONDS);
        String target = describe(name, via, node);
        String last = "in the last " + window + " s";
        List<TrafficRun> recent = runs.stream()
                .filter(r -> r.endedMillis() == 0 || r.endedMillis() >= now - window * 1000L).toList();
        List<TrafficRun> matching = recent.stream().filter(r -> r.service().equals(service))
                .filter(r -> via == null || via.equals(r.via())).filter(r -> node == null || node.equals(r.node())).toList();
        if (matching.isEmpty()) {
            return Outcome.wrong("No requests to " + target + " " + last + elsewhere(recent, service, name)
                    + ": send traffic from the traffic panel (" + panelChoice(name, via, node) + "), then check.");
        }
        TrafficRun run = matching.get(matching.size() - 1);
        if (run.counting()) {
            return Outcome.fail("The traffic panel's requests to " + target + " are still being counted: the nodes report "
                    + "answers as they come, and a request counts as unanswered after a short wait.");
        }
        int sent = run.sent();
        int answered = run.answered();
        int timedOut = run.timedOut();
        Map<String, Long> byPod = new TreeMap<>(run.answeredBy());
        long ago = Math.max(0, (now - run.endedMillis()) / 1000);
        String seen = "The traffic panel's last send to " + target + " (" + ago + " s ago) was " + sent + " request"
                + (sent == 1 ? "" : "s") + ": " + answered + " answered" + (byPod.isEmpty() ? "" : ", by " + pods(byPod));
        int min = spec.integer("minConnections").orElse(0);
        if (sent < min) {
            return Outcome.wrong(seen + ". This step needs at least " + min + " in one send: send " + min
                    + " (or more) at once from the traffic panel, then check.");
        }
        if (spec.params().containsKey("answeredBy")) {
            int expected = spec.integer("answeredBy").orElseThrow();
            if (byPod.size() != expected) {
                String why = byPod.isEmpty() && answered > 0
                        ? " The nodes' flow observer saw no pod answer them: is the traffic panel's status \"connected\"? Send again."
                        : byPod.size() < expected
                                ? " Are " + expected + " pods Ready behind " + name + "? Make them so, then send again."
                                : " More pods answer than this step expects: look at what " + name + " selects, then send again.";
                return Outcome.wrong(seen + (byPod.isEmpty() ? ", by no pod the nodes saw" : "") + "; this step expects "
                        + expected + " different pod" + (expected == 1 ? "" : "s") + " answering." + why);
            }
        }
        if (spec.params().containsKey("unanswered")) {
            boolean wantUnanswered = Boolean.parseBoolean(spec.text("unanswered"));
            if (wantUnanswered) {
                if (answered > 0 || !byPod.isEmpty()) {
                    return Outcome.wrong(seen + "; this step expects them to go unanswered. Send them where no pod can "
                            + "answer (" + panelChoice(name, via, node) + "), then check.");
                }
                if (timedOut < sent) {
                    return Outcome.wrong(seen + ", and " + (sent - timedOut) + " of them were refused at once, not dropped: "
                            + "nothing at all could answer them. This step expects requests that time out, their packets "
                            + "dropped where no pod is allowed to answer.");
                }
                return Outcome.pass(seen + ": every one timed out without connecting (dropped), and the nodes saw none "
                        + "of them reach a pod.");
            }
            if (answered < sent) {
                return Outcome.wrong(seen + "; " + (sent - answered) + " went unanswered" + (timedOut > 0 ? " (" + timedOut
                        + " timed out: dropped)" : "") + ", and this step expects every one answered.");
            }
        }
        return Outcome.pass(seen + ".");
    }

    /** "storefront's NodePort on the agent node", "storefront's ClusterIP", "storefront". */
    private static String describe(String name, String via, String node) {
        if (via == null) {
            return name;
        }
        return switch (via) {
            case "nodePort" -> name + "'s NodePort" + (node == null ? "" : " on the " + node + " node");
            case "loadBalancer" -> name + "'s LoadBalancer IP (through the tunnel)";
            default -> name + "'s ClusterIP";
        };
    }

    /** What to choose in the panel to send what the check looks for. */
    private static String panelChoice(String name, String via, String node) {
        String from = via == null ? "" : switch (via) {
            case "nodePort" -> ", from outside (NodePort)" + (node == null ? "" : " through the " + node + " node");
            case "loadBalancer" -> ", from outside (tunnel)";
            default -> ", from a client pod (ClusterIP)";
        };
        return "Service " + name + from;
    }

    /** What the panel did send meanwhile, to this Service another way or to other Services. */
    private static String elsewhere(List<TrafficRun> recent, String service, String name) {
        List<TrafficRun> same = recent.stream().filter(r -> r.service().equals(service)).toList();
        if (!same.isEmpty()) {
            return " (the panel sent " + same.stream().mapToInt(TrafficRun::sent).sum() + " to " + name + " "
                    + same.stream().map(r -> "nodePort".equals(r.via()) && r.node() != null ? "through the " + r.node()
                            + " node's NodePort" : describe(name, r.via(), null).replace(name + "'s ", "through its "))
                            .distinct().collect(Collectors.joining(" and ")) + " instead)";
        }
        if (!recent.isEmpty()) {
            return " (the panel sent requests only to " + recent.stream().map(r -> r.service().substring(r.service().indexOf('/') + 1))
                    .distinct().collect(Collectors.joining(", ")) + ")";
        }
        return "";
    }

    /** "storefront-a (11), storefront-b (10)": pods without their namespace. */
    private static String pods(Map<String, Long> byPod) {
        return byPod.size() + " pod" + (byPod.size() == 1 ? "" : "s") + " (" + byPod.entrySet().stream()
                .map(e -> e.getKey().substring(e.getKey().indexOf('/') + 1) + ": " + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }
}
