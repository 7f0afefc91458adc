package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxBootstrap;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code exec}: a command's result in the learner's terminal pod ({@code target: toolbox}) or in a
 * pod picked by labels, e.g. curl to a port-forward the learner runs.
 */
@Component
class ExecCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.EXEC);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        Object target = spec.params().get("target");
        String namespace;
        String pod;
        if ("toolbox".equals(target)) {
            namespace = SandboxBootstrap.NAMESPACE;
            pod = SandboxBootstrap.TERMINAL_POD;
        } else {
            Map<String, String> selector = target instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
            namespace = spec.namespace();
            var found = context.client().pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                    .filter(Objects::ready).findFirst();
            if (found.isEmpty()) {
                var pods = context.client().pods().inNamespace(namespace).withLabels(selector).list().getItems();
                return Objects.shortOfReady(context.client(), namespace, selector, pods, 0, new Counts(null, 1),
                        "No Ready pod labelled " + Objects.selector(selector) + " in " + namespace + ".");
            }
            pod = found.get().getMetadata().getName();
        }
        String command = context.fill(spec.text("command"), spec.namespace());
        var result = PodExec.run(context.client(), namespace, pod, Duration.ofSeconds(15), "bash", "-c", command);
        int wantCode = spec.integer("exitCode").orElse(0);
        String where = "toolbox".equals(target) ? "in your terminal" : "in pod " + pod;
        if (result.truncated()) {
            return Outcome.wrong("`" + command + "` " + where + " " + PodExec.Result.limit() + ".");
        }
        if (result.exitCode() != wantCode && target instanceof Map<?, ?> labels) {
            var stopped = stoppedWhileRunning(context, namespace, pod, (Map<String, String>) labels, command);
            if (stopped.isPresent()) {
                return stopped.get();
            }
        }
        if (result.exitCode() != wantCode) {
            return Outcome.fail("`" + brief(command) + "` " + where + " exited with " + result.exitCode() + ", expected " + wantCode
                    + ": " + HttpCheck.abbreviate(result.stderr() + " " + result.stdout()));
        }
        String contains = spec.text("outputContains");
        if (contains != null && !result.stdout().contains(contains)) {
            return Outcome.fail("`" + brief(command) + "` " + where + " printed \"" + HttpCheck.abbreviate(result.stdout())
                    + "\", which does not contain \"" + contains + "\".");
        }
        return Outcome.pass("`" + brief(command) + "` " + where + " worked.");
    }

    /**
     * When the pod a command failed in is no longer Ready (its container exited meanwhile) and no
     * other pod is: the verdict on the pods rather than on the command, so a pod that keeps stopping
     * is answered without another try.
     */
    static java.util.Optional<Outcome> stoppedWhileRunning(CheckContext context, String namespace, String pod,
            Map<String, String> selector, String command) {
        var now = context.client().pods().inNamespace(namespace).withName(pod).get();
        if (now != null && Objects.ready(now)) {
            return java.util.Optional.empty();
        }
        var pods = context.client().pods().inNamespace(namespace).withLabels(selector).list().getItems();
        if (pods.stream().anyMatch(Objects::ready)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Objects.shortOfReady(context.client(), namespace, selector, pods, 0, new Counts(null, 1),
                "Pod " + pod + " stopped being Ready while `" + brief(command) + "` ran in it, and no Ready pod labelled "
                        + Objects.selector(selector) + " is left in " + namespace + "."));
    }

    /** A script's first line, so that a message quotes what ran without pasting a whole script. */
    static String brief(String command) {
        String first = command.strip().lines().findFirst().orElse("");
        boolean more = command.strip().lines().count() > 1 || first.length() > 80;
        return (first.length() > 80 ? first.substring(0, 80) : first) + (more ? " …" : "");
    }
}
