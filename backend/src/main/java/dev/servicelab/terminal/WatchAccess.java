package dev.servicelab.terminal;

import dev.servicelab.account.Account;
import dev.servicelab.account.Role;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who may watch whose terminal, read-only: an admin anyone's, an instructor the learners of the
 * cohorts they own, nobody else.
 */
@Component
public class WatchAccess {

    private final JdbcClient jdbc;

    WatchAccess(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
    Optional<String> activeLab(Account learner) {
        return jdbc.sql("select lab_id from sandbox where owner = ? and state = 'READY' order by last_active_at desc limit 1")
                .param(learner.username()).query(String.class).optional();
    }
}
