package dev.servicelab.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a field of a Kubernetes object (as plain maps and lists) by a path such as
 * {@code spec.ports[0].port}, {@code spec.ports[name=http].targetPort} or
 * {@code metadata.labels["app.kubernetes.io/name"]}.
 */
final class FieldPath {

    private FieldPath() {
    }

    static Optional<Object> read(Object root, String path) {
        Object current = root;
        for (String segment : segments(path)) {
            if (current == null) {
                return Optional.empty();
            }
            if (segment.startsWith("[")) {
                String inner = segment.substring(1, segment.length() - 1);
                if (!(current instanceof List<?> list)) {
                    return Optional.empty();
                }
                if (inner.matches("\\d+")) {
                    int index = Integer.parseInt(inner);
                    current = index < list.size() ? list.get(index) : null;
                } else {
                    String key = inner.substring(0, inner.indexOf('='));
                    String value = unquote(inner.substring(inner.indexOf('=') + 1));
                    current = list.stream().filter(item -> item instanceof Map<?, ?> m && value.equals(String.valueOf(m.get(key))))
                            .findFirst().orElse(null);
                }
            } else {
                current = current instanceof Map<?, ?> map ? map.get(segment) : null;
            }
        }
        return Optional.ofNullable(current);
    }

    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                flush(segments, current);
            } else if (c == '[') {
                flush(segments, current);
                int end = path.indexOf(']', i);
                String inner = path.substring(i + 1, end);
                if (inner.startsWith("\"") || inner.startsWith("'")) {
                    segments.add(unquote(inner));
                } else {
                    segments.add("[" + inner + "]");
                }
                i = end;
            } else {
                current.append(c);
            }
        }
        flush(segments, current);
        return segments;
    }

    private static void flush(List<String> segments, StringBuilder current) {
        if (!current.isEmpty()) {
            segments.add(current.toString());
            current.setLength(0);
        }
    }

    private static String unquote(String text) {
        return text.length() >= 2 && (text.startsWith("\"") || text.startsWith("'")) ? text.substring(1, text.length() - 1) : text;
    }
}
