package dev.servicelab.provisioner;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A running sandbox as the platform reaches it: the admin kubeconfig (its server URL already
 * rewritten to an address the platform can reach) and its nodes.
 */
public record Sandbox(String id, String owner, String labId, String kubeconfig, List<SandboxNode> nodes,
        Instant createdAt) {

    public Sandbox {
        nodes = List.copyOf(nodes);
    }

    public SandboxNode server() {
        return node(SandboxNode.Role.SERVER).orElseThrow();
    }

    public Optional<SandboxNode> node(SandboxNode.Role role) {
        return nodes.stream().filter(n -> n.role() == role).findFirst();
    }
}
