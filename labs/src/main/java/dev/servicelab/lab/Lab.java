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
     * addons the platform installs in it (off by default; see {@link #ADDONS}).
     */
    public record SandboxSpec(int nodes, List<String> namespaces, List<String> addons) {

        /** The addons a lab may ask for: {@code ingress} (an ingress controller serving class {@code servicelab}). */
        public static final java.util.Set<String> ADDONS = java.util.Set.of("ingress");

        public SandboxSpec {
            namespaces = List.copyOf(namespaces);
            addons = List.copyOf(addons);
        }

        public SandboxSpec(int nodes, List<String> namespaces) {
            this(nodes, namespaces, List.of());
        }

        /** A warm-pool sandbox (one node, no addons) can serve this lab. */
        public boolean plain() {
            return nodes == 1 && addons.isEmpty();
        }
    }
}
