package dev.servicelab.sandbox;

import dev.servicelab.account.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalogService;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/** Learners' sandboxes, per lab, on top of the sandbox manager; explains when sandboxes are off. */
@Service
public class SandboxService {

    /**
     * The open lab page asks for its sandbox every few seconds: that is the learner being there, which
     * keeps the sandbox from being frozen or hibernated. Recorded at most this often.
     */
    private static final Duration PRESENCE = Duration.ofSeconds(30);

    private final ObjectProvider<SandboxManager> manager;
    private final JdbcSandboxLedger ledger;
    private final LabCatalogService catalog;
    private final TunnelService tunnels;

    public SandboxService(ObjectProvider<SandboxManager> manager, JdbcSandboxLedger ledger, LabCatalogService catalog,
            TunnelService tunnels) {
        this.manager = manager;
        this.ledger = ledger;
        this.catalog = catalog;
        this.tunnels = tunnels;
    }

    private SandboxView view(SandboxRecord record) {
        return SandboxView.of(record, tunnels.running(record.sandboxId()));
    }

    /** The learner's latest sandbox for the lab; one that is frozen or hibernated is woken, as they are back. */
    public SandboxView view(Account account, String labId) {
        catalog.lab(labId);
        Optional<SandboxRecord> latest = ledger.latest(account.username(), labId);
        if (latest.isPresent() && (latest.get().state() == SandboxState.FROZEN
                || latest.get().state() == SandboxState.HIBERNATED)) {
            try {
                return acquire(account, labId);
            } catch (SandboxException e) {
                // e.g. no room right now: the page shows the saved sandbox and the learner's start button says why
                return view(latest.get());
            }
        }
        latest.filter(r -> r.state() == SandboxState.READY && r.lastActiveAt().isBefore(Instant.now().minus(PRESENCE)))
                .ifPresent(r -> manager().touch(r.sandboxId()));
        return latest.map(this::view).orElse(SandboxView.NONE);
    }

    public SandboxView acquire(Account account, String labId) {
        Lab lab = catalog.lab(labId);
        return view(manager().acquire(account.username(), labId, lab.sandbox().nodes()));
    }

    public SandboxView extend(Account account, String labId) {
        return view(manager().extend(active(account, labId).sandboxId()));
    }

    public void release(Account account, String labId) {
        manager().release(active(account, labId).sandboxId());
    }

    /** The connection to the learner's ready sandbox for a lab. */
    public Optional<Sandbox> connection(Account account, String labId) {
        return manager().current(account.username(), labId).filter(r -> r.state() == SandboxState.READY)
                .flatMap(r -> manager().connection(r.sandboxId()));
    }

    /** Starts or stops the learner's tunnel (minikube tunnel's part) for their ready sandbox. */
    public boolean tunnel(Account account, String labId, boolean on) {
        Sandbox sandbox = connection(account, labId).orElseThrow(() -> new SandboxException(SandboxException.Reason.NOT_FOUND,
                "Your cluster for this lab is not ready yet; start it first."));
        if (on) {
            tunnels.start(sandbox);
        } else {
            tunnels.stop(sandbox);
        }
        return tunnels.running(sandbox.id());
    }

    private SandboxRecord active(Account account, String labId) {
        return manager().current(account.username(), labId).orElseThrow(() -> new SandboxException(
                SandboxException.Reason.NOT_FOUND, "You have no running sandbox for this lab. Start one first."));
    }

    private SandboxManager manager() {
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            throw new SandboxesDisabledException();
        }
        return m;
    }

    /** This server was configured without sandboxes. */
    public static final class SandboxesDisabledException extends RuntimeException {
        SandboxesDisabledException() {
            super("This server does not run sandboxes (servicelab.sandbox.enabled=false). Ask its operator to enable them.");
        }
    }
}
