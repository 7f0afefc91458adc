package dev.servicelab.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed reads from a SnakeYAML node tree that record a {@link LabProblem} with the node's line and
 * column instead of throwing, so that one pass reports every mistake in a file.
 */
final class YamlFile {

    private final Path file;
    private final List<LabProblem> problems;

    YamlFile(Path file, List<LabProblem> problems) {
        this.file = file;
        this.problems = problems;
    }

    Path file() {
        return file;
    }

    void problem(Node node, String message) {
        problems.add(node == null
                ? new LabProblem(file, 0, 0, message)
                : new LabProblem(file, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1, message));
    }

    /** The mapping's entries by key; reports keys outside {@code allowed} and non-mapping nodes. */
    Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
        Map<String, Node> entries = new LinkedHashMap<>();
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " must be a mapping of keys to values");
            return entries;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (key == null) {
                problem(tuple.getKeyNode(), "keys of " + what + " must be plain words");
            } else if (allowed != null && !allowed.contains(key)) {
                problem(tuple.getKeyNode(), "unknown key '" + key + "' in " + what + " (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            } else if (entries.put(key, tuple.getValueNode()) != null) {
                problem(tuple.getKeyNode(), "key '" + key + "' appears twice in " + what);
            }
        }
        return entries;
    }

    String requiredText(Map<String, Node> map, String key, Node parent, String what) {
        Node node = map.get(key);
        if (node == null) {
            problem(parent, what + " is missing '" + key + "'");
            return null;
        }
        return text(node, what + "." + key);
    }

    String text(Node node, String what) {
        if (node instanceof ScalarNode scalar && !scalar.getValue().isBlank()) {
            return scalar.getValue();
        }
        problem(node, what + " must be a non-empty text");
        return null;
    }

    Integer integer(Node node, String what, int min, int max) {
        if (node instanceof ScalarNode scalar) {
            try {
                int value = Integer.parseInt(scalar.getValue().strip());
                if (value >= min && value <= max) {
                    return value;
                }
                problem(node, what + " must be between " + min + " and " + max + ", not " + value);
                return null;
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problem(node, what + " must be a whole number between " + min + " and " + max);
        return null;
    }

    List<Node> sequence(Node node, String what) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        problem(node, what + " must be a list");
        return List.of();
    }

    List<String> texts(Node node, String what) {
        if (node == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (Node item : sequence(node, what)) {
            String value = text(item, "each item of " + what);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    /** A plain Java value (String, Boolean-as-text, List, Map) for check parameters. */
    Object plain(Node node) {
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue().stream().map(this::plain).toList();
        }
        if (node instanceof MappingNode mapping) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(plain(tuple.getKeyNode()));
                map.put(key, plain(tuple.getValueNode()));
            }
            return map;
        }
        return null;
    }
}
