package dev.servicelab.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A lab as loaded from its folder: the manifest's fields and its ordered steps. {@code position}
 * is its place in the course among labs of its difficulty ({@link #UNPLACED} when it gives none).
 * A lab with a fault pool ({@code faults}, else null) is a template: {@link #forLearner} turns it into
 * the lab one learner does, its {@code steps} followed by their own draw of faults.
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
        FaultPool faults,
        Path folder) {

    public static final int UNPLACED = Integer.MAX_VALUE;

    public Lab {
        prerequisites = List.copyOf(prerequisites);
        tags = List.copyOf(tags);
        steps = List.copyOf(steps);
    }

    /**
     * The lab as this learner gets it: the same lab when it has no fault pool, else its steps and
     * the learner's faults (see {@link FaultPool#draw}). Everything that shows, checks, sets up or
     * grades a learner's steps goes through here.
     */
    public Lab forLearner(long learnerId) {
        return faults == null ? this : compose(faults.draw(learnerId, id));
    }

    /** The lab with every fault of its pool, in order: what the conformance suite runs. */
    public Lab withAllFaults() {
        return faults == null ? this : compose(faults.pool());
    }

    /** How many steps a learner gets. */
    public int stepCount() {
        return steps.size() + (faults == null ? 0 : faults.choose());
    }

    /**
     * A shop is broken all at once: the pool's shared setup and every drawn fault's own setup are
     * applied with the first step's, so a learner meets all their faults from the start, and a
     * replay or a start over rebuilds the same cluster.
     */
    private Lab compose(List<LabStep> drawn) {
        List<LabStep> all = new ArrayList<>(steps);
        drawn.forEach(fault -> all.add(fault.withSetup(List.of())));
        List<String> setup = new ArrayList<>(faults.setup());
        setup.addAll(all.get(0).setup());
        drawn.forEach(fault -> setup.addAll(fault.setup()));
        all.set(0, all.get(0).withSetup(setup));
        return new Lab(id, title, summary, difficulty, estimatedMinutes, position, prerequisites, tags, sandbox, all,
                null, folder);
    }

    public Optional<LabStep> step(String stepId) {
        return steps.stream().filter(s -> s.id().equals(stepId)).findFirst();
    }

    public enum Difficulty {
        BEGINNER, INTERMEDIATE, ADVANCED
    }

    /**
     * What the lab needs of its sandbox: one node or a server and an agent, extra namespaces, and
     * optional parts the platform adds to it, off by default ({@link #ADDONS}; the provisioner's names).
     */
    public record SandboxSpec(int nodes, List<String> namespaces, List<String> addons) {

        /** NetworkPolicies are enforced (a policy controller on every node) and learners may write them. */
        public static final String NETWORK_POLICY = "networkPolicy";
        /** An ingress controller serves IngressClass {@code servicelab} on the server node's port 80. */
        public static final String INGRESS = "ingress";
        public static final List<String> ADDONS = List.of(NETWORK_POLICY, INGRESS);

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
