package dev.servicelab.check;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares a field's value with what a lab expects: a scalar (compared as text, so 8080 matches
 * "8080"), or {exists}, {in}, {range}, {not}.
 */
final class Expectation {

    private Expectation() {
    }

    /** Null when the value meets the expectation, else what is wrong ("is ClusterIP, expected NodePort"). */
    static String mismatch(Optional<Object> actual, Object expected) {
        String found = actual.map(Expectation::text).orElse(null);
        if (expected instanceof Map<?, ?> rule) {
            if (rule.containsKey("exists")) {
                boolean want = Boolean.parseBoolean(String.valueOf(rule.get("exists")));
                if (want && found == null) {
                    return "is not set";
                }
                return !want && found != null ? "is set to " + found + ", and should not be set" : null;
            }
            if (rule.containsKey("in")) {
                List<String> options = ((List<?>) rule.get("in")).stream().map(String::valueOf).toList();
                return options.contains(found) ? null : describe(found) + ", expected one of " + String.join(", ", options);
            }
            if (rule.containsKey("range")) {
                List<?> bounds = (List<?>) rule.get("range");
                long low = Long.parseLong(String.valueOf(bounds.get(0)));
                long high = Long.parseLong(String.valueOf(bounds.get(1)));
                try {
                    long value = Long.parseLong(found);
                    return value >= low && value <= high ? null : "is " + value + ", outside " + low + "-" + high;
                } catch (NumberFormatException e) {
                    return describe(found) + ", expected a number in " + low + "-" + high;
                }
            }
            if (rule.containsKey("not")) {
                String unwanted = text(rule.get("not"));
                return unwanted.equals(found) ? "is " + found + ", which is what it must not be" : null;
            }
        }
        String want = text(expected);
        return want.equals(found) ? null : describe(found) + ", expected " + want;
    }

    private static String describe(String found) {
        return found == null ? "is not set" : "is " + found;
    }

    static String text(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.toString();
        }
        if (value instanceof Double d && d == Math.rint(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }
}
