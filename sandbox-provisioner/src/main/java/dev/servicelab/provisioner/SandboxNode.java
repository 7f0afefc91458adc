package dev.servicelab.provisioner;

import java.util.Map;

/**
 * One node of a sandbox: the container that runs it, its address on the sandbox's Docker network,
 * and the host ports the platform reaches it by (container port to host port).
 */
public record SandboxNode(Role role, String containerId, String name, String address, Map<Integer, Integer> hostPorts) {

    public SandboxNode {
        hostPorts = Map.copyOf(hostPorts);
    }

    public enum Role {
        SERVER, AGENT;

        public String label() {
            return name().toLowerCase();
        }
    }
}
