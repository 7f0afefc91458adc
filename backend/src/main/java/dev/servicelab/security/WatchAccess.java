package dev.servicelab.security;

import dev.servicelab.account.Account;
import dev.servicelab.account.AccountRepository;
import dev.servicelab.account.Role;
import dev.servicelab.sandbox.JdbcSandboxLedger;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who may watch whose terminal, read-only: an admin anyone's, an instructor the learners of the
 * cohorts they own, nobody else.
 */
@Component
public class WatchAccess {

    /** Whose sandbox a socket is for, and whether the caller only watches. */
    public record Viewer(Account owner, boolean readOnly) {
    }

    /** A socket the caller may not open; the message says why, in the caller's terms. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private final JdbcClient jdbc;
    private final AccountRepository accounts;
    private final JdbcSandboxLedger sandboxes;

    WatchAccess(JdbcClient jdbc, AccountRepository accounts, JdbcSandboxLedger sandboxes) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.sandboxes = sandboxes;
    }

    /**
     * Resolves a socket's caller and its optional {@code learner=} parameter: the caller's own
     * sandbox, or (read-only) a learner's they may watch. {@code ownOnly} is what a learner is told
     * when they ask for someone else's.
     */
    public Viewer viewer(String callerName, String learner, String ownOnly) {
        Account me = accounts.findByUsername(callerName)
                .orElseThrow(() -> new Refused("Your account no longer exists; sign in again."));
        boolean watching = learner != null && !learner.equalsIgnoreCase(me.username());
        if (!watching) {
            return new Viewer(me, false);
        }
        if (me.role() == Role.LEARNER) {
            throw new Refused(ownOnly);
        }
        Account owner = accounts.findByUsername(learner)
                .orElseThrow(() -> new Refused("There is no learner named " + learner + "."));
        if (!mayWatch(me, owner)) {
            throw new Refused("You may watch only the learners of your own cohorts.");
        }
        return new Viewer(owner, true);
    }

    public boolean mayWatch(Account watcher, Account learner) {
        if (watcher.role() == Role.ADMIN) {
            return true;
        }
        return watcher.role() == Role.INSTRUCTOR && jdbc.sql("""
                select exists (select 1 from cohort c join cohort_member m on m.cohort_id = c.id
                               where c.owner_id = ? and m.account_id = ?)""")
                .params(watcher.id(), learner.id()).query(Boolean.class).single();
    }

    /** The lab of the learner's running sandbox, to watch the shell they are most likely using. */
    public Optional<String> activeLab(Account learner) {
        return sandboxes.mostRecentReadyLab(learner.username());
    }
}
