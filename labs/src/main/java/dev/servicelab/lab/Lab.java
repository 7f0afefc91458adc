package dev.servicelab.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A lab as loaded from its folder: the manifest's fields and its ordered steps. {@code position}
 * is its place in the course among labs of its difficulty ({@link #UNPLACED} when it gives none).
 */
public record Lab(
        String id,
        String title,
        String summary,
        Difficulty difficulty,
        int estimatedMinutes,
        int position,
        List<String> prerequisites,
        List<String> tags,
        SandboxSpec sandbox,
        List<LabStep> steps,
        Path folder) {

    public static final int UNPLACED = Integer.MAX_VALUE;

    public Lab {
        prerequisites = List.copyOf(prerequisites);
        tags = List.copyOf(tags);
        steps = List.copyOf(steps);
    }

    public Optional<LabStep> step(String stepId) {
        return steps.stream().filter(s -> s.id().equals(stepId)).findFirst();
    }

    public enum Difficulty {
        BEGINNER, INTERMEDIATE, ADVANCED
    }

    /**
     * What the lab needs of its sandbox: one node or a server and an agent, extra namespaces, and
     * optional parts of the sandbox ({@link #ADDONS}; the provisioner's names).
     */
    public record SandboxSpec(int nodes, List<String> namespaces, List<String> addons) {

        /** NetworkPolicies are enforced (a policy controller on every node) and learners may write them. */
        public static final String NETWORK_POLICY = "networkPolicy";
        public static final List<String> ADDONS = List.of(NETWORK_POLICY);

        public SandboxSpec {
            namespaces = List.copyOf(namespaces);
            addons = List.copyOf(addons);
        }
    }
}
