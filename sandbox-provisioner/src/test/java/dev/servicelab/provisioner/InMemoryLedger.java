package dev.servicelab.provisioner;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A ledger in memory, for tests of the lifecycle rules. */
public final class InMemoryLedger implements SandboxLedger {

    private final Map<String, SandboxRecord> records = new ConcurrentHashMap<>();
    /** Stands in for the database lock that replicas sharing one ledger take. */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    @Override
    public void save(SandboxRecord record) {
        records.put(record.sandboxId(), record);
    }

    @Override
    public Optional<SandboxRecord> find(String sandboxId) {
        return Optional.ofNullable(records.get(sandboxId));
    }

    @Override
    public List<SandboxRecord> active() {
        return records.values().stream().filter(r -> r.state().active())
                .sorted(java.util.Comparator.comparing(SandboxRecord::createdAt)).toList();
    }

    @Override
    public List<SandboxRecord> queued() {
        return records.values().stream().filter(r -> r.state() == SandboxState.QUEUED)
                .sorted(java.util.Comparator.comparing(SandboxRecord::createdAt).thenComparing(SandboxRecord::sandboxId))
                .toList();
    }

    @Override
    public Optional<SandboxRecord> latest(String owner, String labId) {
        return records.values().stream().filter(r -> owner.equals(r.owner()) && labId.equals(r.labId()))
                .max(java.util.Comparator.comparing(SandboxRecord::createdAt));
    }

    @Override
    public <T> T exclusively(java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
