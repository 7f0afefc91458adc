package dev.servicelab.provisioner;

import java.util.Optional;

/**
 * Where the platform keeps learners' saved clusters: one per learner and lab, the latest, in
 * storage that outlives sandboxes and platform restarts (the platform's database).
 */
public interface SandboxSnapshots {

    /** Keeps {@code snapshot} as the learner's latest for the lab; false when it equals the one kept (same content). */
    boolean save(String owner, String labId, SandboxSnapshot snapshot);

    Optional<SandboxSnapshot> latest(String owner, String labId);

    void delete(String owner, String labId);

    /** No storage: nothing is saved, so nothing is restored. */
    SandboxSnapshots NONE = new SandboxSnapshots() {
        @Override
        public boolean save(String owner, String labId, SandboxSnapshot snapshot) {
            return false;
        }

        @Override
        public Optional<SandboxSnapshot> latest(String owner, String labId) {
            return Optional.empty();
        }

        @Override
        public void delete(String owner, String labId) {
        }
    };
}
