package dev.servicelab.sandbox;

import dev.servicelab.account.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalogService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/** Learners' sandboxes, per lab, on top of the sandbox manager; explains when sandboxes are off. */
@Service
public class SandboxService {

    private final ObjectProvider<SandboxManager> manager;
    private final JdbcSandboxLedger ledger;
    private final LabCatalogService catalog;
    private final TunnelService tunnels;
    private final SandboxHandles handles;
    private final SandboxProperties properties;

    public SandboxService(ObjectProvider<SandboxManager> manager, JdbcSandboxLedger ledger, LabCatalogService catalog,
            TunnelService tunnels, SandboxHandles handles, SandboxProperties properties) {
        this.properties = properties;
        this.manager = manager;
        this.ledger = ledger;
        this.catalog = catalog;
        this.tunnels = tunnels;
        this.handles = handles;
    }

    private SandboxView view(SandboxRecord record) {
        return SandboxView.of(record, tunnels.running(record.sandboxId()), properties.idleTimeout());
    }

    public SandboxView view(Account account, String labId) {
        catalog.lab(labId);
        return ledger.latest(account.username(), labId).map(this::view).orElse(SandboxView.NONE);
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

    /** The learner's ready sandbox for a lab, or the "not ready" problem. */
    public SandboxHandle ready(Account account, String labId) {
        return handles.require(account.username(), labId);
    }

    /** The page is open or the learner asked to keep the cluster: counts as activity at once. */
    public SandboxView keepAlive(Account account, String labId) {
        SandboxRecord record = active(account, labId);
        handles.active(record.sandboxId());
        handles.flushActivity(record.sandboxId());
        return view(manager().record(record.sandboxId()).orElse(record));
    }

    /** Starts or stops the learner's tunnel (minikube tunnel's part) for their ready sandbox. */
    public boolean tunnel(Account account, String labId, boolean on) {
        SandboxHandle sandbox = ready(account, labId);
        sandbox.active();
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
