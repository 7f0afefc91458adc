package dev.servicelab.provisioner;

/**
 * Prepares a sandbox for the learner it is handed to (the lab's starting state). Runs while the
 * sandbox shows the LAB_SETUP phase; what it throws is shown to the learner, and the sandbox is
 * still handed over.
 */
@FunctionalInterface
public interface SandboxPreparer {

    SandboxPreparer NONE = (record, sandbox) -> { };

    void prepare(SandboxRecord record, Sandbox sandbox);
}
