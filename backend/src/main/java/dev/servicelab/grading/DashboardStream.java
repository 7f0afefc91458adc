package dev.servicelab.grading;

import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.cohort.LearnerSandboxes;
import dev.servicelab.jobs.Jobs;

import dev.servicelab.security.AccountRepository;
import dev.servicelab.check.CheckAttemptedEvent;
import dev.servicelab.events.ClusterEvents;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.progress.StepPassedEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BiFunction;
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
 * its verdict; each change of a learner's sandbox state sends it. Events are sent after the progress
 * commits, so a dashboard that reloads sees the same.
 *
 * <p>Dashboards may be open on any replica, so the events travel through {@link ClusterEvents}: the
 * replica that records an attempt or a passed step announces it (small: who, which lab and step),
 * and every replica with an open dashboard of a concerned cohort reads what it shows from the
 * database. Sandbox state changes are announced by the database itself; what a queued or starting
 * sandbox shows (place in the queue, phase) moves without one, so it is re-sent every few seconds.
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

    /** A learner's sandbox for a lab changed state (QUEUED, STARTING, READY, FROZEN, HIBERNATED, FAILED, ...). */
    record SandboxUpdate(String sandboxId, String username, String labId, String state, String phase) {
    }

    /**
     * What a dashboard shows of a learner's sandbox: its state, the same in words, and where a queued
     * learner stands (see {@link LearnerSandboxes.SandboxSummary}).
     */
    record SandboxShown(String username, String sandboxId, String labId, String state, String phase, String status,
            String message, Integer queuePosition, Long queueWaitSeconds, Long wakeSeconds, boolean active) {

        static SandboxShown of(String username, LearnerSandboxes.SandboxSummary s) {
            return new SandboxShown(username, s.sandboxId(), s.labId(), s.state(), s.phase(), s.status(), s.message(),
                    s.queuePosition(), s.queueWaitSeconds(), s.wakeSeconds(), s.active());
        }
    }

    /** What crosses replicas: the learner's id picks the cohorts, the rest is shown. */
    record Attempted(long accountId, AttemptUpdate update) {
    }

    record Progressed(long accountId, String username, String labId) {
    }

    static final String PROGRESS = "dashboard.progress";
    static final String ATTEMPT = "dashboard.attempt";
    /** Announced by the trigger on the sandbox table (V13). */
    static final String SANDBOX = "sandbox";
    /** Check messages are short; a runaway one is cut so the event stays well within NOTIFY's limit. */
    static final int MAX_MESSAGE = 1000;

    private static final Logger log = LoggerFactory.getLogger(DashboardStream.class);
    // EventSource reconnects by itself when this runs out; it only bounds how long a vanished client lingers.
    private static final Duration TIMEOUT = Duration.ofMinutes(30);
    /** How often queued and starting sandboxes are re-sent to open dashboards. */
    static final Duration IN_MOTION_REFRESH = Duration.ofSeconds(5);

    private final Map<Long, Set<SseEmitter>> emitters = new ConcurrentHashMap<>();
    private final CohortRepository cohorts;
    private final AccountRepository accounts;
    private final ProgressService progress;
    private final ClusterEvents events;
    private final LearnerSandboxes sandboxes;

    DashboardStream(CohortRepository cohorts, AccountRepository accounts, ProgressService progress, ClusterEvents events,
            LearnerSandboxes sandboxes, Jobs jobs) {
        this.sandboxes = sandboxes;
        this.cohorts = cohorts;
        this.accounts = accounts;
        this.progress = progress;
        this.events = events;
        events.subscribe(PROGRESS, Progressed.class, this::showProgress);
        events.subscribe(ATTEMPT, Attempted.class, this::showAttempt);
        events.subscribe(SANDBOX, SandboxUpdate.class, this::showSandbox);
        events.onReconnect(this::resync);
        jobs.every("dashboard-sandboxes", IN_MOTION_REFRESH, this::showSandboxesInMotion);
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
        events.publish(PROGRESS, new Progressed(event.accountId(), event.username(), event.labId()));
    }

    @TransactionalEventListener(fallbackExecution = true)
    void checkAttempted(CheckAttemptedEvent event) {
        String message = event.message() == null || event.message().length() <= MAX_MESSAGE ? event.message()
                : event.message().substring(0, MAX_MESSAGE - 1) + "…";
        events.publish(ATTEMPT, new Attempted(event.accountId(), new AttemptUpdate(event.username(), event.labId(),
                event.stepId(), event.passed(), message, String.valueOf(event.checkedAt()))));
    }

    private void showProgress(Progressed event) {
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

    private void showAttempt(Attempted event) {
        watchedCohorts(event.accountId(), event.update().labId()).forEach(id -> broadcast(id, "attempt", event.update()));
    }

    private void showSandbox(SandboxUpdate update) {
        if (nobodyWatches() || update.username() == null || update.labId() == null) {
            return;
        }
        accounts.findByUsername(update.username()).ifPresent(account -> {
            List<Long> watched = watchedCohorts(account.id(), update.labId());
            if (!watched.isEmpty()) {
                // The row as it is now (it may have moved on since the announcement), with its words.
                sandboxes.summary(update.username(), update.sandboxId()).map(s -> SandboxShown.of(update.username(), s))
                        .ifPresent(shown -> watched.forEach(id -> broadcast(id, "sandbox", shown)));
            }
        });
    }

    /**
     * A queued learner's place and estimate, and a starting sandbox's phase, change without the row's
     * state changing (so without an announcement): open dashboards get them every few seconds.
     */
    void showSandboxesInMotion() {
        if (nobodyWatches()) {
            return;
        }
        Map<String, List<Long>> watched = new HashMap<>();
        BiFunction<String, String, List<Long>> cohortsOf = (username, labId) -> watched.computeIfAbsent(
                username + "\n" + labId, k -> accounts.findByUsername(username)
                        .map(account -> watchedCohorts(account.id(), labId)).orElse(List.of()));
        for (LearnerSandboxes.LearnerSandbox moving : sandboxes.inMotion((u, lab) -> !cohortsOf.apply(u, lab).isEmpty())) {
            cohortsOf.apply(moving.username(), moving.sandbox().labId())
                    .forEach(id -> broadcast(id, "sandbox", SandboxShown.of(moving.username(), moving.sandbox())));
        }
    }

    /** This replica may have missed events while it could not listen: open dashboards reload. */
    private void resync() {
        emitters.forEach((id, set) -> set.forEach(e -> send(id, e, SseEmitter.event().name("resync").data("{}"))));
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
        if (nobodyWatches()) {
            return List.of(); // skip the query
        }
        return cohorts.liveCohortsWith(accountId, labId).stream()
                .filter(id -> !emitters.getOrDefault(id, Set.of()).isEmpty()).toList();
    }

    private boolean nobodyWatches() {
        return emitters.values().stream().allMatch(Set::isEmpty);
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
