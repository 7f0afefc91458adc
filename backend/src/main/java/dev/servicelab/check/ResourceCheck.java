package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code resource} and {@code absent}: an object exists (with the expected fields), or does not.
 * What the learner declared is there at once, so a missing object or a wrong field is a wrong answer;
 * only what controllers do (a StatefulSet's pods coming and going, status fields, deletion in
 * progress) is waited for.
 */
@Component
class ResourceCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.RESOURCE, CheckType.ABSENT);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String kind = spec.text("kind");
        String name = spec.text("name");
        String where = "Namespace".equals(kind) ? "" : " in namespace " + spec.namespace();
        Optional<Map<String, Object>> object = Objects.get(context.client(), kind, spec.namespace(), name);
        if (spec.type() == CheckType.ABSENT) {
            if (object.isEmpty()) {
                return Outcome.pass(kind + " " + name + " is gone.");
            }
            String message = kind + " " + name + " still exists" + where + "; delete it.";
            // Being deleted, or owned by a controller that may remove it (a StatefulSet scaling down).
            boolean going = FieldPath.read(object.get(), "metadata.deletionTimestamp").isPresent()
                    || FieldPath.read(object.get(), "metadata.ownerReferences[0]").isPresent();
            return going ? Outcome.fail(message) : Outcome.wrong(message);
        }
        if (object.isEmpty()) {
            List<String> others = Objects.names(context.client(), kind, spec.namespace());
            String message = kind + " " + name + " does not exist" + where + (others.isEmpty() ? "."
                    : " (" + kind + "s there: " + String.join(", ", others.subList(0, Math.min(6, others.size()))) + ").");
            return madeByStatefulSet(context, kind, spec.namespace(), name) ? Outcome.fail(message) : Outcome.wrong(message);
        }
        List<String> wrong = new ArrayList<>();
        boolean converging = false;
        for (var field : spec.map("fields").entrySet()) {
            Optional<Object> actual = FieldPath.read(object.get(), field.getKey());
            String problem = Expectation.mismatch(actual, field.getValue());
            if (problem != null) {
                wrong.add(field.getKey() + " " + problem);
                converging |= field.getKey().startsWith("status.") && !grownForGood(field.getKey(), actual, field.getValue());
            }
        }
        if (wrong.isEmpty()) {
            return Outcome.pass(kind + " " + name + " is as expected.");
        }
        String message = kind + " " + name + ": " + String.join("; ", wrong) + ".";
        return converging ? Outcome.fail(message) : Outcome.wrong(message);
    }

    /**
     * A container's restart count only grows: once above what the step allows, no waiting brings it
     * back (only a new pod starts from zero).
     */
    static boolean grownForGood(String path, Optional<Object> actual, Object expected) {
        return path.endsWith(".restartCount") && expected instanceof Number allowed
                && actual.orElse(null) instanceof Number count && count.longValue() > allowed.longValue();
    }

    /** A pod named like a StatefulSet's (web-2 of web): its controller may be about to make it. */
    private static boolean madeByStatefulSet(CheckContext context, String kind, String namespace, String name) {
        int dash = name.lastIndexOf('-');
        if (!"Pod".equals(kind) || dash < 1 || !name.substring(dash + 1).matches("\\d+")) {
            return false;
        }
        return context.client().apps().statefulSets().inNamespace(namespace).withName(name.substring(0, dash)).get() != null;
    }
}
