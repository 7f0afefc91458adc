package dev.servicelab.sandbox;

import java.util.List;
import java.util.Optional;

/** Where sandbox records are kept: the platform's database, or memory in tests. */
public interface SandboxLedger {

    void save(SandboxRecord record);

    Optional<SandboxRecord> find(String sandboxId);

    /** Records in an active state (starting or ready). */
    List<SandboxRecord> active();
}
