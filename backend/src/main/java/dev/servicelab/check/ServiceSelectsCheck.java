package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** {@code serviceSelects}: the Service's selector matches enough Ready pods. */
@Component
class ServiceSelectsCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.SERVICE_SELECTS);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String name = spec.text("service");
        Service service = context.service(name, spec.namespace());
        Map<String, String> selector = service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return Outcome.wrong("Service " + name + " has no selector, so it selects no pods; add spec.selector with the "
                    + "labels of the pods it should send traffic to.");
        }
        Counts counts = Counts.of(spec);
        List<Pod> matching = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
        long ready = matching.stream().filter(Objects::ready).count();
        String selects = "Service " + name + " selects " + Objects.selector(selector);
        if (counts.met(ready)) {
            return Outcome.pass(selects + ": " + ready + " Ready pod(s).");
        }
        String message;
        if (matching.isEmpty()) {
            List<Pod> all = context.client().pods().inNamespace(spec.namespace()).list().getItems();
            message = selects + ", but no pod in " + spec.namespace() + " has those labels"
                    + (all.isEmpty() ? "." : " (pods here are labelled " + Objects.podLabels(all) + ").")
                    + " Fix the Service's selector or the pods' labels.";
        } else {
            message = selects + ": " + ready + " of " + matching.size() + " matching pods are Ready, expected "
                    + counts.expected() + ".";
        }
        return Objects.shortOfReady(context.client(), spec.namespace(), selector, matching, ready, counts, message);
    }
}
