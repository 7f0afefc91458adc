package dev.servicelab.provisioner;

/**
 * The one vocabulary that marks what a platform created for a sandbox, whichever provisioner made it:
 * labels on Docker containers and networks, labels and annotations on Kubernetes pods. The platform
 * finds its sandboxes again by them after a restart, and tells its own from another platform's.
 */
public final class SandboxLabels {

    /** The platform instance (its id setting) that owns the sandbox. */
    public static final String PLATFORM = "servicelab.dev/platform";
    public static final String SANDBOX = "servicelab.dev/sandbox";
    /** server or agent. */
    public static final String ROLE = "servicelab.dev/node-role";
    /** The learner; an annotation on Kubernetes, where label values cannot hold every username. */
    public static final String OWNER = "servicelab.dev/owner";
    public static final String LAB = "servicelab.dev/lab";
    /** Creation time in epoch milliseconds. */
    public static final String CREATED = "servicelab.dev/created";

    private SandboxLabels() {
    }
}
