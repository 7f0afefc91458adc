package dev.servicelab.security;

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

    private final AccountRepository accounts;
    private final CohortMembership cohorts;

    WatchAccess(AccountRepository accounts, CohortMembership cohorts) {
        this.accounts = accounts;
        this.cohorts = cohorts;
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
        return watcher.role() == Role.INSTRUCTOR && cohorts.teaches(watcher.id(), learner.id());
    }
}
