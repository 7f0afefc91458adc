package dev.servicelab.lab;

import java.util.Map;
import java.util.Optional;

/**
 * A declarative check as written in a lab file. The common keys are lifted into fields; the
 * type-specific keys stay in {@code params} (values are strings, numbers, booleans, lists or maps),
 * already validated against {@link CheckType}.
 */
public record CheckSpec(
        CheckType type,
        String title,
        String namespace,
        int timeoutSeconds,
        Optional<String> hint,
        Map<String, Object> params,
        String source) {

    public CheckSpec {
        params = Map.copyOf(params);
    }

    public String text(String key) {
        Object value = params.get(key);
        return value == null ? null : value.toString();
    }

    public Optional<Integer> integer(String key) {
        Object value = params.get(key);
        return value == null ? Optional.empty() : Optional.of(Integer.parseInt(value.toString()));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String key) {
        Object value = params.get(key);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
