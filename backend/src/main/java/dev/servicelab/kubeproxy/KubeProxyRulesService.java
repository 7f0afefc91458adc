package dev.servicelab.kubeproxy;

import dev.servicelab.problem.ApiException;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.security.Account;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Reads kube-proxy's rules from a sandbox's node as the platform does for checks, and for the learner,
 * whose pods cannot see the node's network stack (baseline Pod Security: no host network).
 */
@Service
public class KubeProxyRulesService {

    private final SandboxService sandboxes;
    private final ObjectProvider<SandboxProvisioner> provisioner;

    public KubeProxyRulesService(SandboxService sandboxes, ObjectProvider<SandboxProvisioner> provisioner) {
        this.sandboxes = sandboxes;
        this.provisioner = provisioner;
    }

    /** The rules on the learner's node ({@code server} or {@code agent}) of their ready sandbox for a lab. */
    public KubeProxyRules forLearner(Account learner, String labId, String role) {
        SandboxHandle handle = sandboxes.ready(learner, labId);
        handle.active();
        return read(handle.sandbox(), role);
    }

    /** The rules on a node of a sandbox; the node is {@code server} (the default) or {@code agent}. */
    public KubeProxyRules read(Sandbox sandbox, String role) {
        SandboxNode.Role wanted = role == null || role.isBlank() || "server".equalsIgnoreCase(role) ? SandboxNode.Role.SERVER
                : "agent".equalsIgnoreCase(role) ? SandboxNode.Role.AGENT : null;
        if (wanted == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "unknown-node", "Unknown node",
                    "There is no node \"" + role + "\": ask for the server node or the agent node.");
        }
        SandboxNode node = sandbox.node(wanted).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "unknown-node",
                "Unknown node", "This lab's cluster has no " + wanted.name().toLowerCase() + " node; ask for the server node."));
        SandboxProvisioner p = provisioner.getIfAvailable();
        try {
            if (p == null) {
                throw new UnsupportedOperationException("sandboxes are off");
            }
            return KubeProxyRules.of(node.name(), p.natTable(node));
        } catch (UnsupportedOperationException e) {
            throw new ApiException(HttpStatus.NOT_IMPLEMENTED, "rules-unavailable", "Node rules unavailable",
                    "This installation cannot read its sandboxes' node rules (" + e.getMessage() + "); ask the operator.");
        }
    }
}
