package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxException;
import dev.servicelab.provisioner.SandboxPhase;
import dev.servicelab.provisioner.QueuePosition;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import dev.servicelab.security.Account;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import java.util.Optional;
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
    private final JdbcSandboxSnapshots snapshots;

    public SandboxService(ObjectProvider<SandboxManager> manager, JdbcSandboxLedger ledger, LabCatalogService catalog,
            TunnelService tunnels, SandboxHandles handles, SandboxProperties properties, JdbcSandboxSnapshots snapshots) {
        this.properties = properties;
        this.snapshots = snapshots;
        this.manager = manager;
        this.ledger = ledger;
        this.catalog = catalog;
        this.tunnels = tunnels;
        this.handles = handles;
    }

    private SandboxView view(SandboxRecord record) {
        QueuePosition queue = record.state() == SandboxState.QUEUED
                ? Optional.ofNullable(manager.getIfAvailable()).flatMap(m -> m.queuePosition(record.sandboxId())).orElse(null)
                : null;
        // A learner's start is a restore whenever a saved cluster of theirs exists (the manager never starts
        // them afresh then): the page says "waking" through all of its phases, not only the first.
        boolean waking = record.state() == SandboxState.STARTING && !record.pooled()
                && (record.phase() == SandboxPhase.WAKING || snapshots.exists(record.owner(), record.labId()));
        return SandboxView.of(record, tunnels.running(record.sandboxId()), properties.idleTimeout(), queue, waking);
    }

    /**
     * The learner's latest sandbox for the lab, as it is: the page polls this, so it is no sign that
     * the learner is there (an idle open tab must not keep a cluster awake). See {@link #keepAlive}.
     * A learner in the queue, though, stays in it only while their page keeps asking.
     */
    public SandboxView view(Account account, String labId) {
        catalog.lab(labId);
        Optional<SandboxRecord> latest = ledger.latest(account.username(), labId);
        SandboxManager m = manager.getIfAvailable();
        if (m != null && latest.isPresent() && latest.get().state() == SandboxState.QUEUED) {
            latest = Optional.of(m.stillWaiting(latest.get()));
        }
        return latest.map(this::view).orElse(SandboxView.NONE);
    }

    /** The learner came back to the lab (opened its page, or used it): a frozen or saved cluster wakes. */
    public Optional<SandboxView> wake(Account account, String labId) {
        Optional<SandboxRecord> latest = ledger.latest(account.username(), labId);
        if (latest.isPresent() && (latest.get().state() == SandboxState.FROZEN
                || latest.get().state() == SandboxState.HIBERNATED)) {
            try {
                return Optional.of(acquire(account, labId));
            } catch (SandboxException e) {
                // e.g. no room right now: the page shows the saved sandbox and the start button says why
                return Optional.of(view(latest.get()));
            }
        }
        return Optional.empty();
    }

    public SandboxView acquire(Account account, String labId) {
        Lab lab = catalog.lab(labId);
        return view(manager().acquire(account.username(), labId, lab.sandbox().nodes()));
    }

    public SandboxView extend(Account account, String labId) {
        return view(manager().extend(active(account, labId).sandboxId()));
    }

    /** Ends the learner's sandbox for the lab, or takes them out of the queue for it. */
    public void release(Account account, String labId) {
        SandboxManager m = manager();
        SandboxRecord record = m.queued(account.username(), labId).orElseGet(() -> active(account, labId));
        m.release(record.sandboxId());
    }

    /**
     * A fresh cluster for the lab, on purpose: whatever the learner has (a sandbox, a place in the
     * queue, a saved cluster) ends and a new one starts, with the lab replayed. Progress is kept.
     */
    public SandboxView startOver(Account account, String labId) {
        Lab lab = catalog.lab(labId);
        manager().startOver(account.username(), labId);
        return view(manager().acquire(account.username(), labId, lab.sandbox().nodes()));
    }

    /** The learner's ready sandbox for a lab, or the "not ready" problem. */
    public SandboxHandle ready(Account account, String labId) {
        return handles.require(account.username(), labId);
    }

    /** The page is open or the learner asked to keep the cluster: counts as activity at once. */
    public SandboxView keepAlive(Account account, String labId) {
        Optional<SandboxView> woken = wake(account, labId);
        if (woken.isPresent()) {
            return woken.get();
        }
        Optional<SandboxRecord> waiting = manager().queued(account.username(), labId);
        if (waiting.isPresent()) {
            return view(manager().stillWaiting(waiting.get()));
        }
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
