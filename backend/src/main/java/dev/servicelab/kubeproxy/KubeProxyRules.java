package dev.servicelab.kubeproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kube-proxy's part of one node's NAT table: its {@code KUBE-*} chains and the rules that jump into
 * them, as {@code iptables-save -t nat} prints them, without packet counters and without the rules
 * of Docker and the platform (those are not what a learner is studying).
 *
 * @param node the node's name
 * @param lines the rules, in the kernel's order
 */
public record KubeProxyRules(String node, List<String> lines) {

    private static final Pattern COUNTERS = Pattern.compile(" \\[\\d+:\\d+]$");
    private static final Pattern PROBABILITY = Pattern.compile("--probability (\\d+(?:\\.\\d+)?)");
    private static final Pattern JUMP = Pattern.compile(" -j (\\S+)");
    private static final Pattern COMMENT = Pattern.compile("--comment \"([^\"]*)\"");

    public KubeProxyRules {
        lines = List.copyOf(lines);
    }

    /** Keeps kube-proxy's chains and every rule that belongs to or jumps into one of them. */
    public static KubeProxyRules of(String node, String iptablesSave) {
        List<String> kept = new ArrayList<>();
        for (String line : iptablesSave.split("\n")) {
            if (line.startsWith(":KUBE-")) {
                kept.add(COUNTERS.matcher(line.replace(" - [0:0]", "")).replaceAll(""));
            } else if (line.startsWith("-A ") && line.contains("KUBE-")) {
                kept.add(line);
            }
        }
        return new KubeProxyRules(node, kept);
    }

    public String text() {
        return String.join("\n", lines);
    }

    /**
     * The chain kube-proxy sends a Service port's ClusterIP traffic to: the target of the
     * {@code KUBE-SERVICES} rule whose comment names the port ("default/web:http cluster IP"; an
     * unnamed port is "default/web cluster IP").
     */
    public Optional<String> serviceChain(String namespace, String service, String portName) {
        String comment = "--comment \"" + namespace + "/" + service
                + (portName == null || portName.isEmpty() ? "" : ":" + portName) + " cluster IP\"";
        return lines.stream().filter(l -> l.startsWith("-A KUBE-SERVICES ") && l.contains(comment))
                .map(KubeProxyRules::target).flatMap(Optional::stream).filter(c -> c.startsWith("KUBE-SVC-")).findFirst();
    }

    /**
     * Whose traffic a chain takes: the comment of the {@code KUBE-SERVICES} rule that jumps to it
     * ("default/web:http cluster IP"); empty when no such rule jumps there.
     */
    public Optional<String> jumpedToBy(String chain) {
        return lines.stream().filter(l -> l.startsWith("-A KUBE-SERVICES ") && target(l).filter(chain::equals).isPresent())
                .map(COMMENT::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst();
    }

    /**
     * The probability with which each of a Service chain's endpoint rules matches, in order (the last
     * one has no statistic match: it takes what is left, 1.0). Empty when the chain has no endpoints.
     */
    public List<Double> probabilities(String chain) {
        List<Double> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("-A " + chain + " ") && target(line).filter(t -> t.startsWith("KUBE-SEP-")).isPresent()) {
                Matcher m = PROBABILITY.matcher(line);
                out.add(m.find() ? Double.parseDouble(m.group(1)) : 1.0);
            }
        }
        return out;
    }

    private static Optional<String> target(String line) {
        Matcher m = JUMP.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
