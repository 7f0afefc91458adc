package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * {@code podAge}: the pods a selector matches were all created after (or before) another object,
 * judged by the creationTimestamps the API server wrote. It tells what a learner did during a step
 * (replaced every pod, kept an old one) from records they cannot write, where a file in their
 * terminal could say anything.
 */
@Component
class PodAgeCheck implements Check {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    /** The object a pod's age is compared with, and when the API server created it. */
    record Reference(String description, Instant created) {
    }

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.POD_AGE);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        boolean after = spec.params().containsKey("createdAfter");
        Map<String, Object> ref = spec.map(after ? "createdAfter" : "createdBefore");
        String kind = String.valueOf(ref.get("kind"));
        String name = String.valueOf(ref.get("name"));
        String namespace = ref.containsKey("namespace") ? String.valueOf(ref.get("namespace")) : spec.namespace();
        var object = Objects.get(context.client(), kind, namespace, name);
        if (object.isEmpty()) {
            return Outcome.fail(kind + " " + name + " does not exist in namespace " + namespace + ", so there is nothing to "
                    + "compare the pods' age with: it belongs to this step's setup.");
        }
        Object created = FieldPath.read(object.get(), "metadata.creationTimestamp").orElseThrow();
        Map<String, String> selector = new LinkedHashMap<>();
        spec.map("selector").forEach((k, v) -> selector.put(k, String.valueOf(v)));
        List<Pod> pods = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
        Outcome outcome = verdict(Objects.selector(selector), spec.namespace(), pods,
                new Reference(kind + " " + name, Instant.parse(String.valueOf(created))), after);
        // Old pods that nothing is replacing stay old: only the learner can still change that.
        return after && !outcome.passed() && !pods.isEmpty() && nothingReplaces(context, pods) ? Outcome.wrong(outcome.message()) : outcome;
    }

    /**
     * Whether the pods are all Ready, none is going, and no controller of theirs is rolling out
     * (a {@code kubectl rollout restart} replaces old pods a few at a time: those wait).
     */
    private static boolean nothingReplaces(CheckContext context, List<Pod> pods) {
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null || !Objects.ready(pod)) {
                return false;
            }
            var owners = pod.getMetadata().getOwnerReferences();
            if (owners == null || owners.isEmpty()) {
                continue;
            }
            var owner = owners.get(0);
            String namespace = pod.getMetadata().getNamespace();
            boolean settled = switch (owner.getKind()) {
                case "ReplicaSet" -> {
                    var set = context.client().apps().replicaSets().inNamespace(namespace).withName(owner.getName()).get();
                    var byDeployment = set == null || set.getMetadata().getOwnerReferences() == null ? null
                            : set.getMetadata().getOwnerReferences().stream().filter(o -> "Deployment".equals(o.getKind())).findFirst().orElse(null);
                    yield set != null && (byDeployment == null || rolledOut(
                            context.client().apps().deployments().inNamespace(namespace).withName(byDeployment.getName()).get()));
                }
                case "StatefulSet" -> {
                    var set = context.client().apps().statefulSets().inNamespace(namespace).withName(owner.getName()).get();
                    yield set != null && set.getStatus() != null && set.getStatus().getUpdateRevision() != null
                            && set.getStatus().getUpdateRevision().equals(set.getStatus().getCurrentRevision());
                }
                default -> false;
            };
            if (!settled) {
                return false;
            }
        }
        return true;
    }

    private static boolean rolledOut(io.fabric8.kubernetes.api.model.apps.Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null || deployment.getStatus().getObservedGeneration() == null) {
            return false;
        }
        int wanted = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        var status = deployment.getStatus();
        long generation = deployment.getMetadata().getGeneration() == null ? 0 : deployment.getMetadata().getGeneration();
        return status.getObservedGeneration() >= generation
                && Integer.valueOf(wanted).equals(status.getUpdatedReplicas()) && Integer.valueOf(wanted).equals(status.getReplicas());
    }

    /**
     * Pods being deleted do not count: they are on their way out. Timestamps have one-second
     * resolution, so "after" means a later second and "before" means not later.
     */
    static Outcome verdict(String selector, String namespace, List<Pod> pods, Reference reference, boolean after) {
        List<Pod> live = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        if (live.isEmpty()) {
            return Outcome.fail("No pod labelled " + selector + " is running in " + namespace + ".");
        }
        String since = reference.description() + " (created " + CLOCK.format(reference.created()) + ")";
        List<Pod> wrong = live.stream().filter(p -> after != created(p).isAfter(reference.created())).toList();
        String listed = wrong.stream().map(p -> p.getMetadata().getName() + " (created " + CLOCK.format(created(p)) + ")")
                .collect(Collectors.joining(", "));
        if (after) {
            return wrong.isEmpty()
                    ? Outcome.pass("All " + live.size() + " pod(s) labelled " + selector + " were created after " + since + ".")
                    : Outcome.fail(wrong.size() + " of " + live.size() + " pod(s) labelled " + selector + " already existed before "
                            + since + ": " + listed + ". They were not replaced during this step.");
        }
        return wrong.isEmpty()
                ? Outcome.pass("The pod(s) labelled " + selector + " were created before " + since + ", so they were kept, not made anew.")
                : Outcome.fail((wrong.size() == 1 ? "Pod " : "Pods ") + listed + " labelled " + selector
                        + (wrong.size() == 1 ? " was" : " were") + " created after " + since
                        + ": " + (wrong.size() == 1 ? "it is a new pod" : "they are new pods")
                        + ", not one that was running before this step.");
    }

    private static Instant created(Pod pod) {
        return Instant.parse(pod.getMetadata().getCreationTimestamp());
    }
}
