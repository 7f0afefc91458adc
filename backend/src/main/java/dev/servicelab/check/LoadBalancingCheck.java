package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** {@code loadBalancing}: N requests through a URL reach at least K distinct pods (as the echo server tells). */
@Component
class LoadBalancingCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.LOAD_BALANCING);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String url = context.fill(spec.text("url"), spec.namespace());
        int requests = spec.integer("requests").orElseThrow();
        int want = spec.integer("minDistinctPods").orElseThrow();
        var result = context.probe(null, Duration.ofSeconds(5 + requests),
                "for i in $(seq " + requests + "); do curl -s --max-time 2 " + Shell.quote(url)
                        + " | sed -n 's/^pod: //p'; done");
        if (result.truncated()) {
            return Outcome.wrong(requests + " requests to " + url + " " + PodExec.Result.limit() + ": the echo server "
                    + "answers with a few lines; is something else behind the Service?");
        }
        Map<String, Long> byPod = new TreeMap<>(Arrays.stream(result.stdout().split("\n")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
        long answered = byPod.values().stream().mapToLong(Long::longValue).sum();
        String spread = byPod.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        if (byPod.size() < want) {
            return Outcome.fail(requests + " requests to " + url + " reached " + byPod.size() + " pod(s)"
                    + (spread.isEmpty() ? "" : " (" + spread + ")") + (answered < requests ? ", " + (requests - answered)
                    + " got no answer" : "") + "; expected at least " + want + ". Are there " + want
                    + " Ready replicas behind the Service?");
        }
        return Outcome.pass(requests + " requests spread over " + byPod.size() + " pods: " + spread + ".");
    }
}
