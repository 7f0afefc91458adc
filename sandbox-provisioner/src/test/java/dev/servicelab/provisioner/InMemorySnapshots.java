package dev.servicelab.provisioner;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Snapshots in memory, for tests of the hibernation rules. */
public final class InMemorySnapshots implements SandboxSnapshots {

    private final Map<String, SandboxSnapshot> byLearnerAndLab = new ConcurrentHashMap<>();

    @Override
    public boolean save(String owner, String labId, SandboxSnapshot snapshot) {
        SandboxSnapshot before = byLearnerAndLab.put(owner + "/" + labId, snapshot);
        return before == null || !before.contentHash().equals(snapshot.contentHash());
    }

    @Override
    public Optional<SandboxSnapshot> latest(String owner, String labId) {
        return Optional.ofNullable(byLearnerAndLab.get(owner + "/" + labId));
    }

    @Override
    public void delete(String owner, String labId) {
        byLearnerAndLab.remove(owner + "/" + labId);
    }
}
