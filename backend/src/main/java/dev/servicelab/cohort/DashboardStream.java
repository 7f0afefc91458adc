package dev.servicelab.cohort;

import dev.servicelab.account.AccountRepository;
import dev.servicelab.check.CheckAttemptedEvent;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.progress.StepPassedEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live updates of open dashboards over Server-Sent Events: each passed step sends the learner's
 * statuses in that lab to every open dashboard of a cohort they belong to; each check attempt sends
 * its verdict. Events are sent after the progress commits, so a dashboard that reloads sees the same.
 */
@Component
class DashboardStream {

    /** A learner's statuses in one lab, step by step. */
    record ProgressUpdate(String username, String labId, boolean completed, int passedSteps, int totalSteps,
            List<StepState> steps) {
    }

    record StepState(String stepId, String status) {
    }

    record AttemptUpdate(String username, String labId, String stepId, boolean passed, String message, String checkedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(DashboardStream.class);
    // EventSource reconnects by itself when this runs out; it only bounds how long a vanished client lingers.
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private final Map<Long, Set<SseEmitter>> emitters = new ConcurrentHashMap<>();
    private final CohortRepository cohorts;
    private final AccountRepository accounts;
    private final ProgressService progress;

    DashboardStream(CohortRepository cohorts, AccountRepository accounts, ProgressService progress) {
        this.cohorts = cohorts;
        this.accounts = accounts;
        this.progress = progress;
    }

    SseEmitter subscribe(long cohortId) {
        SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());
        Set<SseEmitter> set = emitters.computeIfAbsent(cohortId, id -> new CopyOnWriteArraySet<>());
        set.add(emitter);
        Runnable remove = () -> set.remove(emitter);
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        send(cohortId, emitter, SseEmitter.event().name("ready").data("{}"));
        return emitter;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void stepPassed(StepPassedEvent event) {
        List<Long> watched = watchedCohorts(event.accountId(), event.labId());
        if (watched.isEmpty()) {
            return;
        }
        var account = accounts.findByUsername(event.username()).orElse(null);
        if (account == null) {
            return;
        }
        LabProgress lab = progress.progress(account, event.labId());
        ProgressUpdate update = new ProgressUpdate(event.username(), event.labId(), lab.completedAt() != null,
                (int) lab.passedSteps(), lab.steps().size(),
                lab.steps().stream().map(s -> new StepState(s.stepId(), s.status().name())).toList());
        watched.forEach(id -> broadcast(id, "progress", update));
    }

    @TransactionalEventListener(fallbackExecution = true)
    void checkAttempted(CheckAttemptedEvent event) {
        AttemptUpdate update = new AttemptUpdate(event.username(), event.labId(), event.stepId(), event.passed(), event.message(),
                String.valueOf(event.checkedAt()));
        watchedCohorts(event.accountId(), event.labId()).forEach(id -> broadcast(id, "attempt", update));
    }

    /** A comment now and then keeps proxies from closing idle streams and finds vanished clients. */
    @Scheduled(fixedDelay = 20_000)
    void heartbeat() {
        emitters.forEach((id, set) -> set.forEach(e -> send(id, e, SseEmitter.event().comment("keep-alive"))));
    }

    /**
     * Ends every stream when the server shuts down, before graceful shutdown starts waiting for open
     * requests: otherwise each open dashboard would hold the shutdown up to its timeout.
     */
    @EventListener(ContextClosedEvent.class)
    void closeAll() {
        emitters.values().forEach(set -> set.forEach(SseEmitter::complete));
        emitters.clear();
    }

    private List<Long> watchedCohorts(long accountId, String labId) {
        if (emitters.values().stream().allMatch(Set::isEmpty)) {
            return List.of(); // nobody is watching: skip the query
        }
        return cohorts.liveCohortsWith(accountId, labId).stream()
                .filter(id -> !emitters.getOrDefault(id, Set.of()).isEmpty()).toList();
    }

    private void broadcast(long cohortId, String name, Object data) {
        emitters.getOrDefault(cohortId, Set.of()).forEach(e -> send(cohortId, e, SseEmitter.event().name(name).data(data)));
    }

    private void send(long cohortId, SseEmitter emitter, SseEmitter.SseEventBuilder event) {
        try {
            emitter.send(event);
        } catch (IOException | IllegalStateException e) {
            log.debug("Dashboard stream of cohort {} closed: {}", cohortId, e.getMessage());
            // The container notices the broken connection and completes the emitter; forget it now.
            emitters.getOrDefault(cohortId, Set.of()).remove(emitter);
        }
    }
}
