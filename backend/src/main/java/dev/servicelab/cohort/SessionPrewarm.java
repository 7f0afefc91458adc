package dev.servicelab.cohort;

import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.jobs.Jobs;
import dev.servicelab.lab.Lab;
import dev.servicelab.provisioner.SandboxManager;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Pre-warms sandboxes for cohorts' scheduled sessions: every {@code prewarm-interval}, the warm pool is
 * sized to its normal size plus {@link PrewarmSizing#extra} for the sessions whose start is within the
 * lead, and shrinks back once none is. Pooled sandboxes are lab-agnostic one-node clusters; the lab's
 * setup runs when a learner takes one, as for any pooled sandbox (a few seconds), so sessions of
 * labs that need more nodes are not pre-warmed. Several replicas: the sizing is read from the database
 * under the allocation lock (see {@link SandboxManager#resizePool}), so they agree and never fill twice.
 */
@Component
class SessionPrewarm {

    private final ObjectProvider<SandboxManager> manager;
    private final CohortSessionRepository sessions;
    private final LabCatalogService catalog;
    private final SessionProperties properties;
    private final Clock clock = Clock.systemUTC();

    SessionPrewarm(Jobs jobs, ObjectProvider<SandboxManager> manager, CohortSessionRepository sessions, LabCatalogService catalog,
            SessionProperties properties) {
        this.manager = manager;
        this.sessions = sessions;
        this.catalog = catalog;
        this.properties = properties;
        jobs.every("session-prewarm", properties.prewarmInterval(), this::tick);
    }

    void tick() {
        SandboxManager m = manager.getIfAvailable();
        if (m == null) {
            return; // sandboxes are off: nothing to pre-warm
        }
        // Only labs a warm-pool sandbox (one node, no addons) can serve.
        List<String> oneNodeLabs = catalog.labs().stream()
                .filter(l -> l.sandbox().nodes() == 1 && l.sandbox().addons().isEmpty()).map(Lab::id).toList();
        m.resizePool((holders, room) -> properties.prewarmLead().isZero() ? 0 : PrewarmSizing.extra(
                sessions.expected(clock.instant(), properties.prewarmLead(), oneNodeLabs).stream()
                        .map(s -> (int) s.usernames().stream().filter(u -> !holders.contains(u + "/" + s.labId())).count())
                        .toList(), room));
    }
}
