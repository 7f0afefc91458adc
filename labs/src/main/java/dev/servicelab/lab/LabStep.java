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

    /**
     * Platform actions a learner triggers from the lab page rather than from the terminal; besides these,
     * {@link SendTraffic} (the traffic panel's "Send").
     */
    public static final java.util.Set<String> ACTIONS = java.util.Set.of("start-tunnel", "stop-tunnel");

    /**
     * The action {@code send-traffic SERVICE [namespace=NS] [via=clientPod|nodePort|tunnel] [node=server|agent]
     * [count=N]}: what the traffic panel's "Send" does, so that solutions and wrong answers of steps graded
     * by a {@code flows} check can produce the traffic the learner sends there. It runs after the
     * solution's manifests and commands, since it needs what they made.
     */
    public record SendTraffic(String service, String namespace, String via, String node, int count) {

        public static final String ACTION = "send-traffic";
        public static final String FORMAT = ACTION + " SERVICE [namespace=NS] [via=clientPod|nodePort|tunnel] "
                + "[node=server|agent] [count=1..5000]";
        private static final java.util.Set<String> VIAS = java.util.Set.of("clientPod", "nodePort", "tunnel");

        /** Whether an action is this one (a {@code send-traffic} line, well-formed or not). */
        public static boolean is(String action) {
            return action.equals(ACTION) || action.startsWith(ACTION + " ");
        }

        /** The action's request; throws IllegalArgumentException saying what is wrong. */
        public static SendTraffic parse(String action) {
            String[] words = action.strip().split("\\s+");
            if (!words[0].equals(ACTION) || words.length < 2 || words[1].contains("=")) {
                throw new IllegalArgumentException("'" + action + "' must read " + FORMAT);
            }
            java.util.Map<String, String> options = new java.util.HashMap<>();
            for (int i = 2; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                String key = eq < 0 ? words[i] : words[i].substring(0, eq);
                if (eq < 1 || !java.util.Set.of("namespace", "via", "node", "count").contains(key)
                        || options.put(key, words[i].substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("'" + words[i] + "' in '" + action + "': options are namespace=, via=, "
                            + "node=, count=, each at most once");
                }
            }
            String via = options.getOrDefault("via", "clientPod");
            if (!VIAS.contains(via)) {
                throw new IllegalArgumentException("via=" + via + " in '" + action + "' is not one of clientPod, nodePort, tunnel");
            }
            String node = options.get("node");
            if (node != null && (!"nodePort".equals(via) || !java.util.Set.of("server", "agent").contains(node))) {
                throw new IllegalArgumentException("node=" + node + " in '" + action + "': a node (server or agent) is "
                        + "only for via=nodePort");
            }
            int count;
            try {
                count = Integer.parseInt(options.getOrDefault("count", "30"));
            } catch (NumberFormatException e) {
                count = 0;
            }
            if (count < 1 || count > 5000) {
                throw new IllegalArgumentException("count in '" + action + "' must be a whole number from 1 to 5000");
            }
            return new SendTraffic(words[1], options.getOrDefault("namespace", "default"), via, node, count);
        }

        /** What is wrong with the action, if anything (for the loader). */
        public static java.util.Optional<String> problem(String action) {
            try {
                parse(action);
                return java.util.Optional.empty();
            } catch (IllegalArgumentException e) {
                return java.util.Optional.of(e.getMessage());
            }
        }
    }

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
