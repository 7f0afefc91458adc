package dev.servicelab.provisioner;

/** Told of each phase a sandbox reaches while it starts. */
@FunctionalInterface
public interface SandboxProgress {

    SandboxProgress NONE = (sandboxId, phase) -> { };

    void reached(String sandboxId, SandboxPhase phase);
}
