package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/** {@code podEnv}: an environment variable of a running pod (Service discovery by environment). */
@Component
class PodEnvCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.POD_ENV);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        Map<String, String> selector = (Map<String, String>) (Map<?, ?>) spec.map("selector");
        String variable = spec.text("variable");
        Optional<Pod> pod = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems()
                .stream().filter(Objects::ready).findFirst();
        List<Pod> pods = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
        if (pod.isEmpty()) {
            return Objects.shortOfReady(context.client(), spec.namespace(), selector, pods, 0, new Counts(null, 1),
                    "No Ready pod labelled " + Objects.selector(selector) + " in " + spec.namespace()
                            + " to read the environment of.");
        }
        // A pod that is not Ready yet (a restart in progress) may be the one with the right environment.
        boolean settled = pods.stream().allMatch(Objects::ready);
        String name = pod.get().getMetadata().getName();
        var env = PodExec.run(context.client(), spec.namespace(), name, Duration.ofSeconds(10), "env");
        if (env.truncated()) {
            return Outcome.wrong("The environment of pod " + name + " " + PodExec.Result.limit() + ".");
        }
        if (!env.ok()) {
            return Outcome.fail("Could not read the environment of pod " + name + " (its image needs an env command): "
                    + env.stderr().strip());
        }
        Optional<String> value = Arrays.stream(env.stdout().split("\n")).filter(l -> l.startsWith(variable + "="))
                .map(l -> l.substring(variable.length() + 1)).findFirst();
        if (spec.params().containsKey("present") && !Boolean.parseBoolean(spec.text("present"))) {
            return value.isEmpty() ? Outcome.pass("Pod " + name + " has no " + variable + ".")
                    : verdict(settled, "Pod " + name + " has " + variable + "=" + value.get() + ", but should not: the kubelet "
                            + "injects a Service's variables only into pods started after the Service.");
        }
        if (value.isEmpty()) {
            return verdict(settled, "Pod " + name + " has no " + variable + ". Service variables are set when a pod starts: "
                    + "a pod started before the Service does not have them (restart it).");
        }
        String want = spec.text("equals");
        if (want != null && !want.equals(value.get())) {
            return verdict(settled, "Pod " + name + " has " + variable + "=" + value.get() + ", expected " + want + ".");
        }
        return Outcome.pass("Pod " + name + " has " + variable + "=" + value.get() + ".");
    }

    private static Outcome verdict(boolean settled, String message) {
        return settled ? Outcome.wrong(message) : Outcome.fail(message);
    }
}
