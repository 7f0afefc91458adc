package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code podLog}: some pod matching the selector logged a line containing a text (placeholders
 * filled). The echo workload logs every request with the Host it was sent to and the address it
 * came from, so a lab can tell that a request really took a path (e.g. through a node's port).
 * Only the tail of each log is read, so a chatty pod cannot make the check slow.
 */
@Component
class PodLogCheck implements Check {

    private static final int TAIL_LINES = 2000;
    private static final int LIMIT_BYTES = 512 * 1024;

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.POD_LOG);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String contains = context.fill(spec.text("contains"), spec.namespace());
        Map<String, String> selector = new LinkedHashMap<>();
        spec.map("selector").forEach((k, v) -> selector.put(k, String.valueOf(v)));
        List<Pod> pods = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
        Map<String, String> logs = new LinkedHashMap<>();
        for (Pod pod : pods) {
            logs.put(pod.getMetadata().getName(), context.client().pods().inNamespace(spec.namespace())
                    .withName(pod.getMetadata().getName()).limitBytes(LIMIT_BYTES).tailingLines(TAIL_LINES).getLog());
        }
        return verdict(Objects.selector(selector), spec.namespace(), contains, logs);
    }

    static Outcome verdict(String selector, String namespace, String contains, Map<String, String> logs) {
        if (logs.isEmpty()) {
            return Outcome.fail("No pod labelled " + selector + " exists in " + namespace + ".");
        }
        Optional<Map.Entry<String, String>> line = logs.entrySet().stream().flatMap(e -> e.getValue().lines()
                .filter(l -> l.contains(contains)).map(l -> Map.entry(e.getKey(), l.strip()))).findFirst();
        return line.map(found -> Outcome.pass("Pod " + found.getKey() + " logged: " + HttpCheck.abbreviate(found.getValue())))
                .orElseGet(() -> Outcome.fail("The " + logs.size() + " pod(s) labelled " + selector + " logged no request "
                        + "containing \"" + contains + "\" (read with kubectl logs -n " + namespace + " -l " + selector + ")."));
    }
}
