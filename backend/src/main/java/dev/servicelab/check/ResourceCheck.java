package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/** {@code resource} and {@code absent}: an object exists (with the expected fields), or does not. */
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
            return object.isPresent() ? Outcome.fail(kind + " " + name + " still exists" + where + "; delete it.")
                    : Outcome.pass(kind + " " + name + " is gone.");
        }
        if (object.isEmpty()) {
            List<String> others = Objects.names(context.client(), kind, spec.namespace());
            return Outcome.fail(kind + " " + name + " does not exist" + where + (others.isEmpty() ? "."
                    : " (" + kind + "s there: " + String.join(", ", others.subList(0, Math.min(6, others.size()))) + ")."));
        }
        List<String> wrong = new ArrayList<>();
        for (var field : spec.map("fields").entrySet()) {
            Optional<Object> actual = FieldPath.read(object.get(), field.getKey());
            String problem = Expectation.mismatch(actual, field.getValue());
            if (problem != null) {
                wrong.add(field.getKey() + " " + problem);
            }
        }
        return wrong.isEmpty() ? Outcome.pass(kind + " " + name + " is as expected.")
                : Outcome.fail(kind + " " + name + ": " + String.join("; ", wrong) + ".");
    }
}
