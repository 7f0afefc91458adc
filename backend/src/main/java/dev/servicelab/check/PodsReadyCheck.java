package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** {@code podsReady}: enough pods with the given labels are Ready. */
@Component
class PodsReadyCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.PODS_READY);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        Map<String, String> selector = (Map<String, String>) (Map<?, ?>) spec.map("selector");
        Counts counts = Counts.of(spec);
        List<Pod> pods = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
        long ready = pods.stream().filter(Objects::ready).count();
        String what = "pods labelled " + Objects.selector(selector) + " in " + spec.namespace();
        if (counts.met(ready)) {
            return Outcome.pass(ready + " " + what + " are Ready.");
        }
        String message;
        if (pods.isEmpty()) {
            List<Pod> all = context.client().pods().inNamespace(spec.namespace()).list().getItems();
            message = "No " + what + " exist; expected " + counts.expected() + " Ready."
                    + (all.isEmpty() ? "" : " Pods there are labelled " + Objects.podLabels(all) + ".");
        } else {
            String notReady = pods.stream().filter(p -> !Objects.ready(p))
                    .map(p -> p.getMetadata().getName() + " (" + Objects.why(p) + ")").limit(3).collect(Collectors.joining(", "));
            message = ready + " of " + pods.size() + " " + what + " are Ready, expected " + counts.expected()
                    + (notReady.isEmpty() ? "." : "; not Ready: " + notReady + ".");
        }
        return Objects.shortOfReady(context.client(), spec.namespace(), selector, pods, ready, counts, message);
    }
}
