package dev.servicelab.sandbox;

import dev.servicelab.provisioner.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A learner's ready cluster as features reach it: the sandbox, the one Kubernetes client this server
 * keeps for it (shared, closed with the sandbox: never close it yourself), and the two things every
 * feature reports back: that the learner did something, and interest in the sandbox's end.
 */
public record SandboxHandle(Sandbox sandbox, KubernetesClient client, SandboxHandles handles) {

    public String id() {
        return sandbox.id();
    }

    /** The learner worked in this sandbox (typed, checked, sent traffic...): pushes its idle timeout back. */
    public void active() {
        handles.active(sandbox.id());
    }

    /**
     * Runs {@code onEnd} once when the sandbox ends (removed, expired, dead), on this server or another.
     * Close the returned subscription when the caller goes away first.
     */
    public SandboxHandles.Subscription whenGone(Runnable onEnd) {
        return handles.whenGone(sandbox.id(), onEnd);
    }
}
