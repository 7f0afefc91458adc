package dev.servicelab.lab;

import java.util.List;

/**
 * One step of a lab. {@code instructions} is the Markdown text (already read from its file);
 * {@code setup} and the solutions name manifest files inside the lab folder.
 */
public record LabStep(
        String id,
        String title,
        String instructions,
        List<String> setup,
        List<CheckSpec> checks,
        List<String> hints,
        Solution solution,
        List<WrongSolution> wrong) {

    public LabStep {
        setup = List.copyOf(setup);
        checks = List.copyOf(checks);
        hints = List.copyOf(hints);
        wrong = List.copyOf(wrong);
    }

    /** The same step with another setup (a fault's setup moves to the start of the lab). */
    public LabStep withSetup(List<String> setup) {
        return new LabStep(id, title, instructions, setup, checks, hints, solution, wrong);
    }

    /** Platform actions a learner triggers from the lab page rather than from the terminal. */
    public static final java.util.Set<String> ACTIONS = java.util.Set.of("start-tunnel", "stop-tunnel");

    /** What to apply, run and press so that every check of the step passes. */
    public record Solution(List<String> manifests, List<String> commands, List<String> actions) {
        public Solution {
            manifests = List.copyOf(manifests);
            commands = List.copyOf(commands);
            actions = List.copyOf(actions);
        }
    }

    /** A solution the checks must refuse, with text the failure message must contain. */
    public record WrongSolution(String name, List<String> manifests, List<String> commands, List<String> actions,
            String expect) {
        public WrongSolution {
            manifests = List.copyOf(manifests);
            commands = List.copyOf(commands);
            actions = List.copyOf(actions);
        }
    }
}
