package dev.servicelab.provisioner;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The command lines of a sandbox's k3s nodes and their join token, the same whichever provisioner runs
 * them: what every sandbox disables, how its nodes are labelled, and what the kubelet enforces per pod.
 */
public final class NodeCommand {

    private NodeCommand() {
    }

    /**
     * @param tlsSans names and addresses the platform reaches the API server by (its certificate names them)
     * @param nodePids the node's own process limit, of which each pod gets a quarter (0: no limit)
     * @param extra the operator's extra server arguments, last so that they win
     */
    public static List<String> server(List<String> tlsSans, int nodePids, List<String> extra) {
        return server(tlsSans, nodePids, extra, Set.of());
    }

    /** @param addons what the lab asks for ({@link SandboxRequest#ADDONS}) */
    public static List<String> server(List<String> tlsSans, int nodePids, List<String> extra, Set<String> addons) {
        List<String> args = new ArrayList<>(List.of("server", "--disable=traefik", "--disable=metrics-server",
                "--disable=local-storage", "--disable=servicelb",
                "--node-label=" + SandboxBootstrap.ROLE_LABEL + "=server"));
        if (!addons.contains(SandboxRequest.NETWORK_POLICY)) {
            // No policy controller, no memory for it: only labs about NetworkPolicies enforce them. (The
            // kit's controller never accepts, so the egress policy holds either way; agents follow the server.)
            args.add("--disable-network-policy");
        }
        tlsSans.forEach(san -> args.add("--tls-san=" + san));
        args.addAll(kubeletLimits(nodePids));
        args.addAll(extra);
        return args;
    }

    public static List<String> agent(int nodePids) {
        List<String> args = new ArrayList<>(List.of("agent", "--node-label=" + SandboxBootstrap.ROLE_LABEL + "=agent"));
        args.addAll(kubeletLimits(nodePids));
        return args;
    }

    /**
     * What the kubelet enforces per pod. A quarter of the node's pids: a fork bomb stops at its own
     * pod's limit, and the node's kubelet, containerd and the learner's other pods keep room to work.
     * Ephemeral-storage limits (the LimitRange gives every learner container one): overlay filesystems
     * have no per-container disk quota, so the kubelet evicts a pod that writes beyond its limit
     * instead (the kit's node turns this off by default).
     */
    static List<String> kubeletLimits(int nodePids) {
        List<String> args = new ArrayList<>(List.of("--kubelet-arg=local-storage-capacity-isolation=true"));
        if (nodePids > 0) {
            args.add("--kubelet-arg=pod-max-pids=" + Math.max(64, nodePids / 4));
        }
        return args;
    }

    /** The secret an agent joins its server with; fresh for every sandbox. */
    public static String joinToken() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
