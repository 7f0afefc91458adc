package dev.servicelab.provisioner;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of every sandbox: hands learners one (from the warm pool when it can), enforces limits,
 * notices dead nodes within one health interval, expires idle and old sandboxes, and on start-up
 * re-attaches what still runs and reaps what nobody owns. Works over any {@link SandboxProvisioner}.
 */
public final class SandboxManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxManager.class);

    /** A restore whose node stops while starting is tried this often before a fresh cluster replaces it. */
    private static final int RESTORE_ATTEMPTS = 2;

    private final SandboxProvisioner provisioner;
    private final SandboxLedger ledger;
    private final SandboxLimits limits;
    private final Clock clock;
    private final ExecutorService starters;
    private final ScheduledExecutorService housekeeping;
    private final Map<String, Sandbox> connections = new ConcurrentHashMap<>();
    private final List<Consumer<SandboxRecord>> listeners = new CopyOnWriteArrayList<>();
    private final Object allocation = new Object();
    private volatile SandboxPreparer preparer = SandboxPreparer.NONE;
    private volatile Function<String, Set<String>> addonsByLab = labId -> Set.of();
    private volatile Instant lastHousekeeping;
    private volatile Hibernation hibernation = Hibernation.OFF;
    private volatile SandboxSnapshots snapshots = SandboxSnapshots.NONE;
    /** When each running sandbox was last saved by this process (a restarted one saves each once more). */
    private final Map<String, Instant> savedAt = new ConcurrentHashMap<>();
    /** A queued learner who has not asked for this long has left the lab page: their entry is dropped. */
    private volatile Duration queueLeaveAfter = Duration.ofMinutes(1);
    /** When this process admitted each queued learner still starting, to learn how long a start takes. */
    private final Map<String, Instant> admittedAt = new ConcurrentHashMap<>();
    /** How long the last start of a queued learner took; the queue's estimates add it. */
    private volatile Duration typicalStart = Duration.ofSeconds(60);

    public SandboxManager(SandboxProvisioner provisioner, SandboxLedger ledger, SandboxLimits limits, Clock clock) {
        this.provisioner = provisioner;
        this.ledger = ledger;
        this.limits = limits;
        this.clock = clock;
        this.starters = Executors.newFixedThreadPool(Math.max(1, limits.maxConcurrentStarts()), daemon("sandbox-start"));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-housekeeping"));
        listeners.add(this::learnStartTime);
    }

    /** Reconciles with what runs, then starts the health checks and fills the pool. */
    public void start() {
        reconcile();
        long period = limits.healthInterval().toMillis();
        // A task that throws is never run again by a ScheduledExecutorService, so no exception may
        // leave it: a database outage once stopped every later round.
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                housekeepingRound();
                lastHousekeeping = clock.instant();
            } catch (RuntimeException e) {
                log.warn("Housekeeping round failed, next in {} ms: {}", period, e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try {
            refillPool();
        } catch (RuntimeException e) {
            log.warn("Filling the warm pool failed; housekeeping retries: {}", e.getMessage());
        }
    }

    /**
     * Sets what tells a lab's addons ({@link SandboxRequest#ADDONS}) from its id. Records do not store
     * them: every sandbox of a lab is made with the lab's addons, and a lab with any never gets a
     * warm-pool sandbox (those have none).
     */
    public void addons(Function<String, Set<String>> byLab) {
        this.addonsByLab = byLab;
    }

    /** Sets what prepares a sandbox for its learner (lab setup) once it is theirs. */
    public void preparer(SandboxPreparer preparer) {
        this.preparer = preparer;
    }

    /**
     * Turns on hibernation: idle sandboxes are frozen, then saved to {@code store} and removed; running
     * ones are saved periodically; a learner's next sandbox for the lab starts from their snapshot.
     * Ignored when the provisioner cannot hibernate; without {@link SandboxProvisioner#canFreeze} the
     * freeze stage is skipped, and the freeze delay only says when a learner counts as away (to make room).
     */
    public void hibernation(Hibernation settings, SandboxSnapshots store) {
        if (provisioner.canHibernate()) {
            this.hibernation = settings;
            this.snapshots = store;
        }
    }

    /** Told of every change of a sandbox's record (state, phase, owner, expiry). */
    public void onChange(Consumer<SandboxRecord> listener) {
        listeners.add(listener);
    }

    /**
     * How long a queued learner stays in the queue without asking again (the lab page asks every few
     * seconds while it waits); after that they have left and their entry is dropped.
     */
    public void queueing(Duration leaveAfter) {
        if (leaveAfter == null || leaveAfter.isNegative() || leaveAfter.isZero()) {
            throw new IllegalArgumentException("queue leave-after must be positive, not " + leaveAfter);
        }
        this.queueLeaveAfter = leaveAfter;
    }

    /**
     * The learner's sandbox for a lab: the one they have, else one from the warm pool, else a new one
     * (returned while still starting). When the host is full (and nobody idle can make room), or others
     * already wait, the learner is queued instead: a {@link SandboxState#QUEUED} record that housekeeping
     * starts when a slot frees. Throws {@link SandboxException.Reason#CAPACITY} at the learner's own limit.
     */
    public SandboxRecord acquire(String owner, String labId, int nodes) {
        Allocation decided;
        synchronized (allocation) {
            decided = ledger.exclusively(() -> allocate(owner, labId, nodes));
        }
        // Started only once the records are saved (and, in a database, committed) for every replica to see.
        decided.then().run();
        if (decided.fresh()) {
            refillPool();
        }
        return decided.record();
    }

    /** What {@link #acquire} decided under the lock, and what it starts once the lock is released. */
    private record Allocation(SandboxRecord record, boolean fresh, Runnable then) {
    }

    private Allocation allocate(String owner, String labId, int nodes) {
        Optional<SandboxRecord> existing = ledger.active().stream()
                .filter(r -> owner.equals(r.owner()) && labId.equals(r.labId())).findFirst();
        if (existing.isPresent()) {
            return existing.get().state() == SandboxState.FROZEN ? thawing(existing.get())
                    : new Allocation(touch(existing.get().sandboxId()), false, () -> { });
        }
        List<SandboxRecord> queue = ledger.queued();
        Optional<SandboxRecord> waiting = queue.stream()
                .filter(r -> owner.equals(r.owner()) && labId.equals(r.labId())).findFirst();
        if (waiting.isPresent()) {
            return new Allocation(stillWaiting(waiting.get()), false, () -> { });
        }
        Optional<SandboxSnapshot> saved = savedCluster(owner, labId);
        List<SandboxRecord> active = ledger.active();
        long mine = active.stream().filter(r -> owner.equals(r.owner())).count();
        if (mine >= limits.maxPerLearner()) {
            if (!hibernateOwnOther(active, owner)) {
                throw new SandboxException(SandboxException.Reason.CAPACITY, "You already have " + mine
                        + " sandbox(es) running, the most one learner may have. End one from its lab page first.");
            }
            active = ledger.active();
        }
        Instant now = clock.instant();
        // Nobody overtakes those already waiting, not even through the warm pool.
        Optional<SandboxRecord> pooled = poolShaped(nodes, labId) && saved.isEmpty() && queue.isEmpty() ? active.stream()
                .filter(r -> r.pooled() && r.state() == SandboxState.READY && r.nodes() == 1).findFirst() : Optional.empty();
        if (pooled.isPresent()) {
            SandboxRecord record = handOver(pooled.get(), owner, labId, now);
            save(record);
            log.info("Sandbox {} handed from the warm pool to {} for {}", record.sandboxId(), owner, labId);
            return new Allocation(record, true,
                    () -> starters.submit(() -> prepare(record, connection(record.sandboxId()).orElse(null), null)));
        }
        long others = active.stream().filter(r -> !r.pooled()).count();
        if (!queue.isEmpty() || others >= limits.maxTotal() && !hibernateLongestIdle(active, owner)) {
            SandboxRecord queued = new SandboxRecord("sb-" + UUID.randomUUID().toString().substring(0, 12), owner, labId,
                    nodes, SandboxState.QUEUED, SandboxPhase.QUEUED, null, now, now, null);
            save(queued);
            log.info("{} queued for {} at position {}", owner, labId, queue.size() + 1);
            return new Allocation(queued, false, () -> { });
        }
        evictPooledIfFull(active);
        SandboxRecord record = newRecord(owner, labId, nodes, now);
        if (saved.isPresent()) {
            SandboxRecord waking = record.with(SandboxState.STARTING, SandboxPhase.WAKING, null);
            boolean replayToo = !savedWhenStopped(owner, labId);
            save(waking);
            return new Allocation(waking, true, () -> launchRestored(waking, saved.get(), replayToo));
        }
        save(record);
        return new Allocation(record, true, () -> launch(record));
    }

    /** The connection to a ready sandbox, re-attaching if this process has not seen it yet. */
    public Optional<Sandbox> connection(String sandboxId) {
        Sandbox known = connections.get(sandboxId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Sandbox> attached = provisioner.attach(sandboxId);
        attached.ifPresent(s -> connections.put(sandboxId, s));
        return attached;
    }

    public Optional<SandboxRecord> record(String sandboxId) {
        return ledger.find(sandboxId);
    }

    /** The learner's active sandbox for a lab, if any. */
    public Optional<SandboxRecord> current(String owner, String labId) {
        return ledger.active().stream().filter(r -> owner.equals(r.owner()) && labId.equals(r.labId())).findFirst();
    }

    /** Marks activity, which pushes the idle timeout back. */
    public SandboxRecord touch(String sandboxId) {
        Instant now = clock.instant();
        ledger.touch(sandboxId, now);
        return require(sandboxId);
    }

    /**
     * Records activity seen at {@code at} (a keystroke, a check) for an active sandbox; only the
     * last-activity time changes, so a touch never undoes a state change made meanwhile.
     */
    public void touch(String sandboxId, Instant at) {
        ledger.touch(sandboxId, at);
    }

    /** When the last housekeeping round completed (null before the first), for health reporting. */
    public Instant lastHousekeeping() {
        return lastHousekeeping;
    }

    /** Gives the sandbox more time, up to the hard TTL from its creation. */
    public SandboxRecord extend(String sandboxId) {
        SandboxRecord record = require(sandboxId);
        Instant cap = record.createdAt().plus(limits.hardTtl());
        Instant wanted = clock.instant().plus(limits.extension());
        SandboxRecord extended = record.touched(clock.instant()).expiringAt(wanted.isAfter(cap) ? cap : wanted);
        save(extended);
        return extended;
    }

    /** Ends a sandbox now. */
    public void release(String sandboxId) {
        SandboxRecord record = require(sandboxId);
        if (record.state() == SandboxState.QUEUED) {
            save(record.with(SandboxState.DELETED, SandboxPhase.QUEUED, "You left the queue."));
            return;
        }
        forgetSavedCluster(record);
        finish(record, SandboxState.DELETED, "Ended on request");
    }

    /**
     * The learner starts the lab's cluster over: their sandbox (or place in the queue) ends and their
     * saved cluster is forgotten, so the next start is a fresh cluster with the lab replayed.
     */
    public void startOver(String owner, String labId) {
        queued(owner, labId).or(() -> current(owner, labId)).ifPresent(r -> release(r.sandboxId()));
        snapshots.delete(owner, labId);
    }

    /** Checks every active sandbox once: dead nodes are marked, expired ones removed. */
    public void housekeepingRound() {
        hibernationRound();
        Instant now = clock.instant();
        for (SandboxRecord record : ledger.active()) {
            try {
                if (record.state() == SandboxState.STARTING && limits.shared()
                        && now.isAfter(record.lastActiveAt().plus(limits.startGrace()))) {
                    // No replica finishes a start this late: the one that began it has gone.
                    finish(record, SandboxState.FAILED, "Its start was abandoned (a server stopped). Start it again.");
                } else if (record.state() == SandboxState.READY && !provisioner.isAlive(record.sandboxId())) {
                    log.warn("Sandbox {} of {} has stopped", record.sandboxId(), record.owner());
                    boolean saved = !record.pooled() && savedCluster(record.owner(), record.labId()).isPresent();
                    finish(record, SandboxState.DEAD, saved
                            ? "Your cluster stopped unexpectedly. Start it again: it comes back from its last save, "
                                    + "with your passed steps replayed on top; your lab progress is kept."
                            : "Your cluster stopped unexpectedly. Start a fresh one: your lab progress is kept.");
                } else if (!record.pooled() && record.expiresAt() != null && now.isAfter(record.expiresAt())) {
                    finish(record, SandboxState.EXPIRED, "Removed after reaching its time limit.");
                } else if (!record.pooled() && record.state() == SandboxState.READY
                        && now.isAfter(record.lastActiveAt().plus(limits.idleTimeout()))) {
                    finish(record, SandboxState.EXPIRED, "Removed after " + limits.idleTimeout().toMinutes()
                            + " minutes without activity.");
                }
            } catch (RuntimeException e) {
                log.warn("Housekeeping of sandbox {} failed: {}", record.sandboxId(), e.getMessage());
            }
        }
        try {
            admitQueued();
        } catch (RuntimeException e) {
            log.warn("Starting queued learners failed, next round retries: {}", e.getMessage());
        }
        refillPool();
    }

    private void reconcile() {
        Instant now = clock.instant();
        Map<String, SandboxProvisioner.SandboxStatus> running = provisioner.list().stream()
                .collect(Collectors.toMap(SandboxProvisioner.SandboxStatus::sandboxId, s -> s, (a, b) -> a));
        List<SandboxRecord> records = ledger.active();
        Set<String> known = records.stream().map(SandboxRecord::sandboxId).collect(Collectors.toSet());
        for (SandboxRecord record : records) {
            var status = running.get(record.sandboxId());
            if (record.state() == SandboxState.STARTING && limits.shared()
                    && !now.isAfter(record.lastActiveAt().plus(limits.startGrace()))) {
                // Another replica may be starting it right now (its node may not even exist yet).
                continue;
            }
            if (status == null || !(status.running() || status.frozen())) {
                finish(record, SandboxState.DEAD, "Your cluster stopped while the server was down. Start a fresh "
                        + "one: your lab progress is kept.");
            } else if (record.state() == SandboxState.STARTING) {
                // Its start was cut short by the restart: it may be half set up, so replace it.
                finish(record, SandboxState.FAILED, "Interrupted by a server restart. Start it again.");
            } else {
                // Connecting now (not at first use) lets the provisioner set up what a new platform
                // process needs, e.g. a re-created platform container joining the sandbox's network.
                connection(record.sandboxId());
                log.info("Re-attached sandbox {} of {}", record.sandboxId(), record.owner());
            }
        }
        running.values().stream()
                .filter(s -> !known.contains(s.sandboxId()))
                // A sandbox younger than the grace may belong to a record another replica is still saving.
                .filter(s -> !limits.shared() || s.createdAt() == null || now.isAfter(s.createdAt().plus(limits.startGrace())))
                .filter(s -> ledger.find(s.sandboxId()).map(r -> !r.state().active()).orElse(true))
                .forEach(orphan -> {
                    log.info("Reaping orphan sandbox {}", orphan.sandboxId());
                    provisioner.delete(orphan.sandboxId());
                });
    }

    private void refillPool() {
        growPool(() -> {
            List<SandboxRecord> active = ledger.active();
            long pooled = active.stream().filter(SandboxRecord::pooled).count();
            long room = limits.maxTotal() + limits.warmPool() - active.size();
            return newPooled((int) Math.max(0, Math.min(limits.warmPool() - pooled, room)));
        });
    }

    /**
     * Decides under the allocation lock, from the shared records (so replicas never fill the pool
     * twice), which clean sandboxes to add, then starts them outside the lock.
     */
    private void growPool(java.util.function.Supplier<List<SandboxRecord>> decide) {
        List<SandboxRecord> created;
        synchronized (allocation) {
            created = ledger.exclusively(decide);
        }
        created.forEach(this::launch);
    }

    /** Records {@code count} new clean one-node sandboxes for the pool (not started yet). */
    private List<SandboxRecord> newPooled(int count) {
        List<SandboxRecord> fresh = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            SandboxRecord record = newRecord(null, null, 1, clock.instant());
            save(record);
            fresh.add(record);
        }
        return fresh;
    }

    /** Expected demand for pooled sandboxes, asked under the allocation lock (see {@link #resizePool}). */
    @FunctionalInterface
    public interface PoolDemand {
        /**
         * @param holders learners who already have or wait for a sandbox, as {@code owner + "/" + labId}
         *        (running, starting, paused or queued): they need none from the pool
         * @param room how many more learners' sandboxes may run now (under max-total)
         * @return how many clean sandboxes to keep beyond warm-pool
         */
        int extra(java.util.Set<String> holders, int room);
    }

    /**
     * Sizes the warm pool for expected demand (a class about to start): {@code demand} answers how many
     * clean sandboxes to keep beyond warm-pool. The pool is filled up to that, or pooled sandboxes
     * beyond it are removed (the newest first), so a raised pool returns to warm-pool once the demand
     * has gone. Like the refill, it decides under the allocation lock from the shared records (and
     * {@code demand} should read what it needs there too), so replicas never fill it twice.
     * Ordinary refills (housekeeping, hand-outs) still fill only up to warm-pool and never shrink it.
     */
    public void resizePool(PoolDemand demand) {
        growPool(() -> {
            List<SandboxRecord> active = ledger.active();
            List<SandboxRecord> pooled = active.stream().filter(SandboxRecord::pooled).toList();
            int room = (int) Math.max(0, limits.maxTotal() - (active.size() - pooled.size()));
            java.util.Set<String> holders = java.util.stream.Stream.concat(active.stream(), ledger.queued().stream())
                    .filter(r -> !r.pooled() && r.owner() != null).map(r -> r.owner() + "/" + r.labId())
                    .collect(java.util.stream.Collectors.toSet());
            int extra = Math.max(0, Math.min(room, demand.extra(holders, room)));
            int target = limits.warmPool() + extra;
            List<SandboxRecord> fresh = newPooled(Math.max(0, target - pooled.size()));
            if (pooled.size() > target) {
                pooled.stream().sorted(java.util.Comparator.comparing(SandboxRecord::createdAt).reversed())
                        .limit(pooled.size() - target)
                        .forEach(r -> finish(r, SandboxState.DELETED, "The warm pool shrank back"));
                log.info("Warm pool shrunk from {} to {}", pooled.size(), target);
            } else if (!fresh.isEmpty()) {
                log.info("Warm pool raised from {} to {} ({} beyond warm-pool)", pooled.size(), target, extra);
            }
            return fresh;
        });
    }

    /** A learner outranks the pool: when the host is full, a pooled sandbox makes room. */
    private void evictPooledIfFull(List<SandboxRecord> active) {
        if (active.size() >= limits.maxTotal() + limits.warmPool()) {
            active.stream().filter(SandboxRecord::pooled).findFirst()
                    .ifPresent(r -> finish(r, SandboxState.DELETED, "Made room for a learner"));
        }
    }

    /** Whether a warm-pool sandbox (one node, no addons) fits the lab. */
    private boolean poolShaped(int nodes, String labId) {
        return nodes == 1 && addonsByLab.apply(labId).isEmpty();
    }

    private Set<String> addons(SandboxRecord record) {
        return record.labId() == null ? Set.of() : addonsByLab.apply(record.labId());
    }

    private SandboxRecord newRecord(String owner, String labId, int nodes, Instant now) {
        String id = "sb-" + UUID.randomUUID().toString().substring(0, 12);
        SandboxRecord base = new SandboxRecord(id, owner, labId, nodes, SandboxState.STARTING, SandboxPhase.QUEUED,
                null, now, now, null);
        return base.expiringAt(owner == null ? null : expiry(base, now));
    }

    private Instant expiry(SandboxRecord record, Instant now) {
        Instant byIdle = now.plus(limits.extension());
        Instant cap = now.plus(limits.hardTtl());
        return byIdle.isAfter(cap) ? cap : byIdle;
    }

    private void launch(SandboxRecord record) {
        starters.submit(() -> startFresh(record, null));
    }

    /** Creates a fresh cluster for the record; {@code note} is told to the learner once it is ready. */
    private void startFresh(SandboxRecord record, String note) {
        try {
            Sandbox sandbox = provisioner.create(new SandboxRequest(record.sandboxId(), record.owner(), record.labId(),
                    record.nodes(), null, addons(record)), this::reached);
            connections.put(sandbox.id(), sandbox);
            ledger.find(record.sandboxId()).ifPresent(r -> {
                if (r.state() != SandboxState.STARTING) {
                    provisioner.delete(r.sandboxId()); // ended while it was starting
                } else if (r.pooled()) {
                    save(r.with(SandboxState.READY, SandboxPhase.READY, null));
                } else {
                    prepare(r.with(SandboxState.STARTING, SandboxPhase.LAB_SETUP, null), sandbox, note);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Sandbox {} failed to start: {}", record.sandboxId(), e.getMessage());
            ledger.find(record.sandboxId())
                    .ifPresent(r -> save(r.with(SandboxState.FAILED, SandboxPhase.FAILED, e.getMessage())));
        }
    }

    /** Runs the preparer for the sandbox's learner, then hands it over as READY whatever happened. */
    private void prepare(SandboxRecord record, Sandbox sandbox, String note) {
        save(record);
        String message = note;
        try {
            if (sandbox == null) {
                throw new SandboxException(SandboxException.Reason.DEAD, "the sandbox cannot be reached");
            }
            preparer.prepare(record, sandbox);
        } catch (RuntimeException e) {
            log.warn("Preparing sandbox {} for {} failed: {}", record.sandboxId(), record.owner(), e.getMessage());
            message = (note == null ? "" : note + " ") + "The lab's starting state could not be fully set up ("
                    + e.getMessage() + "). Checks may fail "
                    + "until it is; starting a fresh cluster retries it.";
        }
        String told = message;
        // The idle countdown starts when the learner can use it, not when the start began.
        ledger.find(record.sandboxId()).filter(r -> r.state() == SandboxState.STARTING)
                .ifPresent(r -> save(r.with(SandboxState.READY, SandboxPhase.READY, told).touched(clock.instant())));
    }

    private void finish(SandboxRecord record, SandboxState state, String message) {
        connections.remove(record.sandboxId());
        save(record.with(state, record.phase(), message));
        try {
            provisioner.delete(record.sandboxId());
        } catch (RuntimeException e) {
            log.warn("Could not delete sandbox {}: {}", record.sandboxId(), e.getMessage());
        }
    }

    private void save(SandboxRecord record) {
        ledger.save(record);
        listeners.forEach(l -> {
            try {
                l.accept(record);
            } catch (RuntimeException e) {
                log.warn("A sandbox listener failed: {}", e.getMessage());
            }
        });
    }

    private SandboxRecord require(String sandboxId) {
        return ledger.find(sandboxId).orElseThrow(() -> new SandboxException(SandboxException.Reason.NOT_FOUND,
                "There is no sandbox " + sandboxId + "."));
    }

    // ---- Hibernation: freeze, save, remove and restore idle sandboxes ----

    /**
     * One pass over the learners' sandboxes: idle ones are frozen, then hibernated; ones in use are
     * saved when their learner did something since the last save; ones past their time limit are
     * saved before the housekeeping round removes them, so the learner finds their cluster next time.
     */
    public void hibernationRound() {
        Hibernation h = hibernation;
        if (snapshots == SandboxSnapshots.NONE) {
            return;
        }
        Instant now = clock.instant();
        List<SandboxRecord> active = ledger.active();
        savedAt.keySet().retainAll(active.stream().map(SandboxRecord::sandboxId).toList());
        for (SandboxRecord record : active) {
            if (record.pooled() || record.state() == SandboxState.STARTING) {
                continue;
            }
            try {
                Instant idleSince = record.lastActiveAt();
                boolean expired = record.expiresAt() != null && now.isAfter(record.expiresAt());
                if (expired) {
                    saveCluster(record);
                } else if (h.hibernates() && !now.isBefore(idleSince.plus(h.hibernateAfter()))) {
                    hibernate(record, "Saved and stopped after " + h.hibernateAfter().toMinutes()
                            + " minutes without activity. Opening the lab wakes your cluster where you left it.");
                } else if (record.state() == SandboxState.READY && h.freezes() && provisioner.canFreeze()
                        && !now.isBefore(idleSince.plus(h.freezeAfter()))) {
                    provisioner.freeze(record.sandboxId());
                    save(record.with(SandboxState.FROZEN, record.phase(), "Paused after " + h.freezeAfter().toMinutes()
                            + " minutes without activity. Opening the lab resumes it."));
                    log.info("Sandbox {} of {} frozen", record.sandboxId(), record.owner());
                } else if (record.state() == SandboxState.READY && h.savesPeriodically()) {
                    Instant last = savedAt.get(record.sandboxId());
                    if (last == null || idleSince.isAfter(last) && !now.isBefore(last.plus(h.snapshotInterval()))) {
                        saveCluster(record);
                    }
                }
            } catch (RuntimeException e) {
                log.warn("Hibernation of sandbox {} failed: {}", record.sandboxId(), e.getMessage());
            }
        }
    }

    /** Saves a sandbox's cluster, then removes the sandbox; without a snapshot it is removed as expired. */
    public void hibernate(String sandboxId) {
        hibernate(require(sandboxId), "Saved and stopped. Opening the lab wakes your cluster where you left it.");
    }

    private void hibernate(SandboxRecord record, String message) {
        try {
            saveCluster(record);
        } catch (RuntimeException e) {
            if (ledger.find(record.sandboxId()).map(r -> !r.state().active()).orElse(false)) {
                // Another platform replica saved and removed it meanwhile, and its record says so.
                return;
            }
            log.warn("Sandbox {} could not be saved, so it is removed: {}", record.sandboxId(), e.getMessage());
            finish(record, SandboxState.EXPIRED, "Removed after a time without activity (it could not be saved: "
                    + e.getMessage() + "). Starting it again sets up the lab and replays the steps you passed.");
            return;
        }
        finish(record, SandboxState.HIBERNATED, message);
        log.info("Sandbox {} of {} hibernated", record.sandboxId(), record.owner());
    }

    private void saveCluster(SandboxRecord record) {
        Instant now = clock.instant();
        SandboxSnapshot snapshot = provisioner.snapshot(record.sandboxId());
        boolean stored = snapshots.save(record.owner(), record.labId(), snapshot);
        savedAt.put(record.sandboxId(), now);
        log.debug("Sandbox {} saved ({} bytes, {})", record.sandboxId(), snapshot.size(), stored ? "stored" : "unchanged");
    }

    private Optional<SandboxSnapshot> savedCluster(String owner, String labId) {
        return snapshots == SandboxSnapshots.NONE ? Optional.empty() : snapshots.latest(owner, labId);
    }

    private void forgetSavedCluster(SandboxRecord record) {
        if (!record.pooled()) {
            snapshots.delete(record.owner(), record.labId());
        }
        savedAt.remove(record.sandboxId());
    }

    /**
     * Whether the learner's last sandbox for the lab was saved as it stopped (hibernated, or expired
     * after its final save), so its snapshot holds everything. After a dead node or an unknown end the
     * snapshot may be minutes old: the lab's setup and passed steps are then replayed on top of it.
     */
    private boolean savedWhenStopped(String owner, String labId) {
        return ledger.latest(owner, labId)
                .map(r -> r.state() == SandboxState.HIBERNATED || r.state() == SandboxState.EXPIRED).orElse(false);
    }

    /** Resumes a frozen sandbox before {@link #acquire} returns it. */
    private Allocation thawing(SandboxRecord frozen) {
        SandboxRecord ready = frozen.touched(clock.instant()).with(SandboxState.READY, frozen.phase(), null);
        save(ready);
        return new Allocation(ready, false, () -> {
            try {
                provisioner.thaw(ready.sandboxId());
                log.info("Sandbox {} of {} thawed", ready.sandboxId(), ready.owner());
            } catch (RuntimeException e) {
                // The next health check finds it dead; the learner's next start restores their snapshot.
                log.warn("Sandbox {} could not be thawed: {}", ready.sandboxId(), e.getMessage());
            }
        });
    }

    /**
     * At the host's limit, a learner who is away (idle at least the freeze delay) gives up their slot:
     * their sandbox is saved and removed. False when nobody is away.
     */
    private boolean hibernateLongestIdle(List<SandboxRecord> active, String forOwner) {
        Hibernation h = hibernation;
        if (snapshots == SandboxSnapshots.NONE) {
            return false;
        }
        Instant idleBefore = clock.instant().minus(h.freezes() ? h.freezeAfter() : limits.healthInterval());
        Optional<SandboxRecord> idlest = active.stream()
                .filter(r -> !r.pooled() && !forOwner.equals(r.owner()))
                .filter(r -> r.state() == SandboxState.READY || r.state() == SandboxState.FROZEN)
                .filter(r -> r.lastActiveAt().isBefore(idleBefore))
                .min(java.util.Comparator.comparing(SandboxRecord::lastActiveAt));
        idlest.ifPresent(r -> hibernate(r, "Saved and stopped to make room for another learner while you were away. "
                + "Opening the lab wakes your cluster where you left it."));
        return idlest.isPresent() && ledger.find(idlest.get().sandboxId()).map(r -> !r.state().active()).orElse(true);
    }

    /** A learner at their own limit who opens another lab has left the one they used least recently: it is saved. */
    private boolean hibernateOwnOther(List<SandboxRecord> active, String owner) {
        if (snapshots == SandboxSnapshots.NONE) {
            return false;
        }
        Optional<SandboxRecord> oldest = active.stream()
                .filter(r -> owner.equals(r.owner()) && r.state() != SandboxState.STARTING)
                .min(java.util.Comparator.comparing(SandboxRecord::lastActiveAt));
        oldest.ifPresent(r -> hibernate(r, "Saved and stopped when you opened another lab. Opening this lab again wakes "
                + "your cluster where you left it."));
        return oldest.isPresent();
    }

    /**
     * Starts a sandbox from the learner's snapshot: their objects are back, so the lab's setup is not
     * replayed unless the snapshot may be older than the learner's last steps. A snapshot this node
     * image must not read is dropped and the learner told to start afresh (the replay path). A restore
     * that fails otherwise (the node stopped while starting from it) is tried once more; if that fails
     * too, the learner gets a fresh cluster with the lab replayed rather than no cluster at all, and the
     * snapshot stays for a later try until the new cluster's own saves replace it.
     */
    private void launchRestored(SandboxRecord record, SandboxSnapshot snapshot, boolean replayToo) {
        starters.submit(() -> {
            RuntimeException failure = null;
            for (int attempt = 1; attempt <= RESTORE_ATTEMPTS; attempt++) {
                if (ledger.find(record.sandboxId()).filter(r -> r.state() == SandboxState.STARTING).isEmpty()) {
                    return; // ended while it was starting
                }
                try {
                    Sandbox sandbox = provisioner.create(new SandboxRequest(record.sandboxId(), record.owner(),
                            record.labId(), record.nodes(), snapshot, addons(record)), this::reached);
                    connections.put(sandbox.id(), sandbox);
                    savedAt.put(sandbox.id(), clock.instant());
                    ledger.find(record.sandboxId()).ifPresent(r -> {
                        if (r.state() != SandboxState.STARTING) {
                            provisioner.delete(r.sandboxId()); // ended while it was starting
                        } else if (replayToo) {
                            // Said, so the learner knows their objects came back (not a fresh cluster).
                            prepare(r.with(SandboxState.STARTING, SandboxPhase.LAB_SETUP, null), sandbox,
                                    "Restored from your cluster saved at " + snapshot.takenAt()
                                            + ", with the lab's setup and your passed steps replayed on top.");
                        } else {
                            save(r.touched(clock.instant()).with(SandboxState.READY, SandboxPhase.READY,
                                    "Restored from your cluster saved at " + snapshot.takenAt() + "."));
                        }
                    });
                    return;
                } catch (RuntimeException e) {
                    failure = e;
                    log.warn("Sandbox {} could not be restored (attempt {} of {}): {}", record.sandboxId(), attempt,
                            RESTORE_ATTEMPTS, e.getMessage());
                    if (e instanceof SandboxException se && se.reason() == SandboxException.Reason.INCOMPATIBLE_SNAPSHOT) {
                        snapshots.delete(record.owner(), record.labId());
                        ledger.find(record.sandboxId())
                                .ifPresent(r -> save(r.with(SandboxState.FAILED, SandboxPhase.FAILED, e.getMessage())));
                        return;
                    }
                }
            }
            String why = String.valueOf(failure.getMessage()).lines().findFirst().orElse("no reason given");
            log.warn("Sandbox {} of {} starts fresh instead: its snapshot could not be restored", record.sandboxId(),
                    record.owner());
            ledger.find(record.sandboxId()).filter(r -> r.state() == SandboxState.STARTING).ifPresent(r -> {
                SandboxRecord fresh = r.with(SandboxState.STARTING, SandboxPhase.STARTING_CONTAINER, null);
                save(fresh);
                startFresh(fresh, "Your saved cluster could not be restored (" + why + "), so this is a fresh "
                        + "cluster with the lab set up and your passed steps replayed.");
            });
        });
    }

    private void reached(String sandboxId, SandboxPhase phase) {
        ledger.find(sandboxId).filter(r -> r.state() == SandboxState.STARTING)
                .ifPresent(r -> save(r.with(SandboxState.STARTING, phase, null)));
    }

    // ---- The queue: learners who found the host full wait in order for a slot ----

    /** The learner's queue entry for a lab, if they are waiting. */
    public Optional<SandboxRecord> queued(String owner, String labId) {
        return ledger.queued().stream().filter(r -> owner.equals(r.owner()) && labId.equals(r.labId())).findFirst();
    }

    /**
     * The learner is still there (their lab page asked): keeps their queue entry. Written at most
     * every few seconds, as the page polls often, and only as a touch, so that an entry housekeeping
     * is starting right now is never put back in the queue.
     */
    public SandboxRecord stillWaiting(SandboxRecord entry) {
        Instant now = clock.instant();
        if (entry.state() != SandboxState.QUEUED || entry.lastActiveAt().plusSeconds(5).isAfter(now)) {
            return entry;
        }
        ledger.touch(entry.sandboxId(), now);
        return entry.touched(now);
    }

    /**
     * Where a queued entry stands, and about how long until its cluster is ready. The rule: each
     * learner's sandbox frees its slot at the latest when it expires (time limit or idle timeout), and
     * at the limit already once its learner has been away for the freeze delay (it is then hibernated
     * to make room). Those moments, earliest first, go to the queue in order: number {@code n} waits for
     * the {@code n}-th; beyond as many as there are slots, each further round adds one freeze delay (or
     * idle timeout). A typical start (the last measured one) is added. It assumes those holding slots
     * stop working now: learners who end their cluster sooner shorten the wait, those who keep working
     * lengthen it.
     */
    public Optional<QueuePosition> queuePosition(String sandboxId) {
        List<SandboxRecord> queue = ledger.queued();
        int index = -1;
        for (int i = 0; i < queue.size(); i++) {
            if (queue.get(i).sandboxId().equals(sandboxId)) {
                index = i;
            }
        }
        if (index < 0) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Hibernation h = hibernation;
        Duration away = h.freezes() && snapshots != SandboxSnapshots.NONE ? h.freezeAfter() : limits.idleTimeout();
        List<Instant> frees = ledger.active().stream().filter(r -> !r.pooled()).map(r -> {
            Instant at = r.lastActiveAt().plus(away);
            return r.expiresAt() != null && r.expiresAt().isBefore(at) ? r.expiresAt() : at;
        }).map(at -> at.isBefore(now) ? now : at).sorted().toList();
        long free = Math.max(0, limits.maxTotal() - frees.size());
        Duration wait;
        if (index < free || frees.isEmpty()) {
            wait = Duration.ZERO;
        } else {
            int slot = (int) (index - free);
            int round = slot / frees.size();
            wait = Duration.between(now, frees.get(slot % frees.size())).plus(away.multipliedBy(round));
        }
        return Optional.of(new QueuePosition(index + 1, wait.plus(typicalStart)));
    }

    /**
     * Starts waiting learners, first come first, while there is room (hibernating someone away if
     * needed, as {@link #acquire} does), and drops entries whose learner left the page. The head waits
     * for a slot: nobody behind it is started first, unless the head is at their own limit.
     */
    private void admitQueued() {
        List<Runnable> starts;
        synchronized (allocation) {
            starts = ledger.exclusively(() -> {
                List<Runnable> admitted = new java.util.ArrayList<>();
                Instant now = clock.instant();
                for (SandboxRecord entry : ledger.queued()) {
                    if (now.isAfter(entry.lastActiveAt().plus(queueLeaveAfter))) {
                        save(entry.with(SandboxState.DELETED, SandboxPhase.QUEUED, "Left the queue when the lab page "
                                + "was closed. Opening the lab queues you again."));
                        log.info("{} left the queue for {}", entry.owner(), entry.labId());
                        continue;
                    }
                    List<SandboxRecord> active = ledger.active();
                    if (active.stream().filter(r -> entry.owner().equals(r.owner())).count() >= limits.maxPerLearner()) {
                        continue;
                    }
                    Optional<SandboxSnapshot> saved = savedCluster(entry.owner(), entry.labId());
                    Optional<SandboxRecord> pooled = poolShaped(entry.nodes(), entry.labId()) && saved.isEmpty() ? active.stream()
                            .filter(r -> r.pooled() && r.state() == SandboxState.READY && r.nodes() == 1).findFirst()
                            : Optional.empty();
                    if (pooled.isPresent()) {
                        admitted.add(admitToPooled(entry, pooled.get(), now));
                        continue;
                    }
                    long others = active.stream().filter(r -> !r.pooled()).count();
                    if (others >= limits.maxTotal() && !hibernateLongestIdle(active, entry.owner())) {
                        break;
                    }
                    evictPooledIfFull(ledger.active());
                    admitted.add(admit(entry, saved, now));
                }
                return admitted;
            });
        }
        starts.forEach(Runnable::run);
    }

    /** Turns a queue entry into a starting sandbox of the same id (from the learner's snapshot if any). */
    private Runnable admit(SandboxRecord entry, Optional<SandboxSnapshot> saved, Instant now) {
        SandboxRecord base = new SandboxRecord(entry.sandboxId(), entry.owner(), entry.labId(), entry.nodes(),
                SandboxState.STARTING, SandboxPhase.QUEUED, null, now, now, null);
        SandboxRecord record = base.expiringAt(expiry(base, now));
        admittedAt.put(record.sandboxId(), now);
        log.info("{} admitted from the queue for {}", record.owner(), record.labId());
        if (saved.isPresent()) {
            SandboxRecord waking = record.with(SandboxState.STARTING, SandboxPhase.WAKING, null);
            boolean replayToo = !savedWhenStopped(record.owner(), record.labId());
            save(waking);
            return () -> launchRestored(waking, saved.get(), replayToo);
        }
        save(record);
        return () -> launch(record);
    }

    /**
     * A warm sandbox becomes a learner's, its lab setup next. Its time limits count from the hand-over,
     * not from when the pool made it: time spent waiting in the pool is not taken from the learner.
     */
    private SandboxRecord handOver(SandboxRecord pooled, String owner, String labId, Instant now) {
        SandboxRecord record = new SandboxRecord(pooled.sandboxId(), owner, labId, 1, SandboxState.STARTING,
                SandboxPhase.LAB_SETUP, null, now, now, null);
        return record.expiringAt(expiry(record, now));
    }

    /**
     * Hands a warm sandbox to a queue entry, as {@link #acquire} would to a newcomer. The entry ends
     * (its learner's latest sandbox is now the pooled one, made theirs as of now) and the lab is set up.
     */
    private Runnable admitToPooled(SandboxRecord entry, SandboxRecord pooled, Instant now) {
        save(entry.with(SandboxState.DELETED, SandboxPhase.QUEUED, "Your turn came: a warm sandbox was handed to you."));
        SandboxRecord record = handOver(pooled, entry.owner(), entry.labId(), now);
        save(record);
        admittedAt.put(record.sandboxId(), now);
        log.info("Sandbox {} handed from the warm pool to {} for {} from the queue", record.sandboxId(), record.owner(),
                record.labId());
        return () -> starters.submit(() -> prepare(record, connection(record.sandboxId()).orElse(null), null));
    }

    /**
     * How long a learner's start took last (measured on the queue's admissions; a minute until then):
     * what waking a hibernated cluster takes too, as it is a start from a snapshot.
     */
    public Duration typicalStart() {
        return typicalStart;
    }

    /** Learns how long a start takes from the queued learners this process admitted. */
    private void learnStartTime(SandboxRecord record) {
        if (record.state() == SandboxState.STARTING || record.state() == SandboxState.QUEUED) {
            return;
        }
        Instant admitted = admittedAt.remove(record.sandboxId());
        if (admitted != null && record.state() == SandboxState.READY) {
            typicalStart = Duration.between(admitted, clock.instant());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        starters.shutdownNow();
    }
}
