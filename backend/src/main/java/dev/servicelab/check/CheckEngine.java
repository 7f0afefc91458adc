package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.lab.LabStep;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.springframework.stereotype.Service;

/**
 * Runs a step's checks against a sandbox. Every check is evaluated once, and each result is reported
 * as it arrives. A check that is definitively wrong decides the step at once: nothing converging
 * can make the step pass any more. Otherwise checks that are still converging (pods starting,
 * endpoints being published) are retried until they pass or their time is up, so a right answer
 * takes as long as its slowest check, and a wrong one as long as it takes to see it is wrong.
 */
@Service
public class CheckEngine implements AutoCloseable {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(700);

    /**
     * How long a cluster must have been still before a probe that fails the same way twice is taken as
     * the answer. Managed-field times have whole seconds, so two seconds of them are at least one of
     * real stillness, which covers kube-proxy's rule sync after an EndpointSlice change.
     */
    static final Duration SETTLE = Duration.ofSeconds(2);

    /**
     * CoreDNS caches answers, "no such name" included, for a few seconds (the kubernetes plugin's
     * TTL, 5 s): a failure that involves resolving a name is final only once any answer cached before
     * the last change has expired.
     */
    static final Duration NAME_SETTLE = Duration.ofSeconds(7);

    private static final java.util.regex.Pattern URL_HOST = java.util.regex.Pattern.compile("://\\[?([^/:\\]\\s'\"]+)");

    /**
     * Whether a check's repeated failure can ever be final early: a pod's log grows, and the traffic
     * panel's answers are counted, without any object changing.
     */
    static boolean maySettle(CheckSpec spec) {
        return spec.type() != CheckType.POD_LOG && spec.type() != CheckType.FLOWS;
    }

    /**
     * Whether a repeated converging failure is final in a cluster this quiet (never for a check that
     * {@link #maySettle may not settle}: it waits out its window).
     */
    static boolean settled(CheckSpec spec, String message, ClusterStillness.Quiet quiet) {
        if (!maySettle(spec)) {
            return false;
        }
        if (spec.type() == CheckType.DNS || message.contains(Shell.UNRESOLVED)) {
            return quiet.still().compareTo(NAME_SETTLE) >= 0;
        }
        boolean byName = switch (spec.type()) {
            case HTTP, NO_HTTP, LOAD_BALANCING, DROPPED -> !local(spec.text("url"));
            case EXEC -> !local(spec.text("command"));
            default -> false;
        };
        return quiet.still().compareTo(SETTLE) >= 0 && (!byName || quiet.names().compareTo(NAME_SETTLE) >= 0);
    }

    /**
     * Whether two failures of a check say the same thing. Numbers are left out (an answer's client port,
     * a counter, a time), and so is which of a Deployment's pods answered (web-7f9c5d-x2k4p): they
     * change from request to request however still the cluster is. For a spreading check, which pods
     * answered is the result itself: only how many requests each got is left out.
     */
    static boolean sameFailure(CheckSpec spec, String message, String before) {
        return spec.type() == CheckType.LOAD_BALANCING ? counted(message).equals(counted(before))
                : gist(message).equals(gist(before));
    }

    private static final java.util.regex.Pattern COUNT = java.util.regex.Pattern.compile("\\b[0-9]+\\b");

    /** A spread without its counts: the same pods answering (and the same ones not) is the same spread. */
    private static String counted(String message) {
        return COUNT.matcher(message).replaceAll("#");
    }

    private static final java.util.regex.Pattern REPLICA_POD = java.util.regex.Pattern.compile("-[a-z0-9]{5,10}-[a-z0-9]{5}\\b");

    private static String gist(String message) {
        return REPLICA_POD.matcher(message).replaceAll("-*").replaceAll("[0-9]+", "#");
    }

    /** A host the shell fills from an object's address field, e.g. http://$(kubectl get pod bank -o jsonpath='{.status.podIP}'):8080/. */
    private static final java.util.regex.Pattern ADDRESS_FROM_API = java.util.regex.Pattern.compile(
            "\\$\\(kubectl\\s[^()`;|&]*?jsonpath=['\"]?\\{[^}]*\\.(podIP|hostIP|clusterIP)}['\"]?\\s*\\)");

    /**
     * Whether every URL in the text goes to an address, not a name (placeholders are filled with
     * addresses, and so is a host read from an IP field with kubectl).
     */
    static boolean local(String text) {
        if (text == null) {
            return false;
        }
        var hosts = URL_HOST.matcher(ADDRESS_FROM_API.matcher(text).replaceAll("0.0.0.0")).results().map(m -> m.group(1)).toList();
        return !hosts.isEmpty() && hosts.stream().allMatch(h -> h.equals("localhost") || h.startsWith("{{")
                || h.matches("[0-9.]+") || h.contains(":") && h.matches("[0-9a-fA-F:]+"));
    }

    static final String STILL = " (Nothing in your cluster changed for %d s and no pod is still starting, so this is "
            + "not something on its way: fix it and check again.)";

    /** How long a probe must have watched for its failure for one sight to be enough (see judgedAtFirstSight). */
    static final Duration WATCHED = Duration.ofSeconds(1);

    private static final String COULD_NOT_RUN = "The check could not run: ";
    private static final String API_REFUSED = "The cluster's API refused the check's question";

    static final String CLUSTER_STOPPED = "Your cluster stopped: its API server does not answer (%s). Start a fresh "
            + "cluster on the lab page; your passed steps are replayed on it.";

    /**
     * Hears each check's result as soon as it is known, and again when a retried check changes. Its
     * calls may come from the threads of a step's probes, never two at once. A listener that
     * interrupts its thread (its learner went away) stops the run, as if the run's thread had been
     * interrupted.
     */
    @FunctionalInterface
    public interface Listener {
        void result(int index, CheckResult result);

        Listener NONE = (index, result) -> { };
    }

    private final Map<CheckType, Check> checks = new EnumMap<>(CheckType.class);

    /**
     * Runs the checks' probes side by side, for every check running: bounded, and without a queue, so
     * when all its threads are busy the check's own thread runs the probe (probes then go one after
     * the other, as they would without it). Idle threads end.
     */
    private final ThreadPoolExecutor probes;

    public CheckEngine(List<Check> implementations, CheckProperties properties) {
        implementations.forEach(check -> check.types().forEach(type -> checks.put(type, check)));
        for (CheckType type : CheckType.values()) {
            if (!checks.containsKey(type)) {
                throw new IllegalStateException("No implementation for check type " + type.yamlName());
            }
        }
        AtomicInteger threads = new AtomicInteger();
        probes = new ThreadPoolExecutor(properties.probeThreads(), properties.probeThreads(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> {
                    Thread thread = new Thread(task, "check-probe-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                // Not CallerRunsPolicy: it drops the task once the pool is shut down, and its future would never end.
                (task, pool) -> task.run());
        probes.allowCoreThreadTimeOut(true);
    }

    /** With the application: probes still in flight are interrupted (their checks' threads are too). */
    @Override
    public void close() {
        probes.shutdownNow();
    }

    public StepReport run(String labId, LabStep step, CheckContext context) {
        return run(labId, step, context, Duration.ofDays(1), Listener.NONE);
    }

    public StepReport run(String labId, LabStep step, CheckContext context, Listener listener) {
        return run(labId, step, context, Duration.ofDays(1), listener);
    }

    /**
     * Runs with each check's retry window capped: a conformance run that expects a step to fail
     * need not wait for things that never converge.
     */
    public StepReport run(String labId, LabStep step, CheckContext context, Duration maxWait) {
        return run(labId, step, context, maxWait, Listener.NONE);
    }

    public StepReport run(String labId, LabStep step, CheckContext context, Duration maxWait, Listener listener) {
        awaitPoliciesEnforced(context);
        Instant started = Instant.now();
        List<CheckSpec> specs = step.checks();
        Tally tally = new Tally(specs.size(), listener);
        CheckResult[] results = tally.results;
        Instant[] deadlines = new Instant[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            Duration wait = Duration.ofSeconds(specs.get(i).timeoutSeconds());
            deadlines[i] = started.plus(wait.compareTo(maxWait) < 0 ? wait : maxWait);
        }
        Observer observer = new Observer(context.stillness());
        List<Integer> every = IntStream.range(0, specs.size()).boxed().toList();
        boolean going = new Timelines(specs, context, tally, deadlines, observer, every, true).run();
        // A wrong answer at first sight decides the step. Converging checks seen before it may since have
        // got further (a pod became Ready meanwhile): look at them once more, so that every message
        // describes the same moment.
        List<Integer> lookAgain = tally.beforeWrong().stream().filter(i -> results[i].waiting()).toList();
        going = going && new Timelines(specs, context, tally, deadlines, observer, lookAgain, false).run();
        // From here on this thread alone reads and writes the results.
        tally.close();
        Instant end = Instant.now();
        for (int i = 0; i < specs.size(); i++) {
            if (results[i] != null && results[i].waiting() && !end.isBefore(deadlines[i]) && deadlines[i].isAfter(started)) {
                // Its time ran out while it was still converging: say how long it was given.
                CheckResult r = results[i];
                results[i] = new CheckResult(r.title(), r.type(), false, r.message() + " (Still so after "
                        + Duration.between(started, deadlines[i]).toSeconds() + " s.)", r.millis(), r.state());
            }
            if (results[i] == null) {
                results[i] = new CheckResult(specs.get(i).title(), specs.get(i).type().yamlName(), false,
                        going ? "Not checked: the cluster stopped." : "Not checked: the check was stopped.", 0, CheckResult.WRONG);
                if (going) {
                    listener.result(i, results[i]);
                }
            }
        }
        boolean passed = Arrays.stream(results).allMatch(CheckResult::passed);
        return new StepReport(labId, step.id(), passed, List.of(results), Duration.between(started, Instant.now()).toMillis(),
                started);
    }

    /**
     * Every check on its own timeline: looked at once (all of them, even after a wrong result), then
     * again {@link #RETRY_PAUSE} after each converging result, until it is decided, its time is up, or
     * a wrong result has decided the step. A check's next look does not wait for the slowest probe of
     * the step (a dropped packet's seconds): a refusal seen at 0.3 s is seen again at 1.3 s. API checks
     * run on the run's thread before the probes due with them (they answer in milliseconds, so the
     * first ✘ of a wrong field never waits for a probe's round trip); probes run side by side on the
     * pool, or on the run's thread when the pool is full. Without retries, the given checks are looked
     * at once each, a wrong result or not.
     */
    private final class Timelines {
        /** Looks falling due this close together go together: one stillness observation serves them all. */
        private static final Duration TOGETHER = Duration.ofMillis(50);

        private final List<CheckSpec> specs;
        private final CheckContext context;
        private final Tally tally;
        private final Instant[] deadlines;
        private final Observer observer;
        private final boolean retrying;
        /** When each check is next looked at; null once it is not to be looked at again. */
        private final Instant[] due;
        private final Map<Integer, Future<?>> inFlight = new HashMap<>();
        private final BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
        private Instant askedAlive;

        Timelines(List<CheckSpec> specs, CheckContext context, Tally tally, Instant[] deadlines, Observer observer,
                List<Integer> checks, boolean retrying) {
            this.specs = specs;
            this.context = context;
            this.tally = tally;
            this.deadlines = deadlines;
            this.observer = observer;
            this.retrying = retrying;
            this.due = new Instant[specs.size()];
            Instant now = Instant.now();
            checks.forEach(i -> due[i] = now);
            this.askedAlive = now;
        }

        /** False when this thread was interrupted (the learner went away): the looks in flight are cancelled. */
        boolean run() {
            try {
                while (!tally.decided()) {
                    Instant now = Instant.now();
                    List<Integer> dueNow = IntStream.range(0, specs.size())
                            .filter(i -> !inFlight.containsKey(i) && due[i] != null && !due[i].isAfter(now.plus(TOGETHER))
                                    && !skipped(i))
                            .boxed().toList();
                    if (!dueNow.isEmpty()) {
                        if (!alive(dueNow, now)) {
                            break;
                        }
                        dispatch(dueNow);
                        continue;
                    }
                    Instant next = IntStream.range(0, specs.size())
                            .filter(i -> !inFlight.containsKey(i) && due[i] != null && !skipped(i))
                            .mapToObj(i -> due[i]).min(Instant::compareTo).orElse(null);
                    if (next == null && inFlight.isEmpty()) {
                        break;
                    }
                    Integer done = next == null ? finished.take()
                            : finished.poll(Math.max(1, Duration.between(now, next).toMillis()), TimeUnit.MILLISECONDS);
                    for (; done != null; done = finished.poll()) {
                        settle(done);
                    }
                }
                // A wrong result or a stopped cluster: looks in flight finish and are kept.
                while (!inFlight.isEmpty()) {
                    settle(finished.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (Thread.currentThread().isInterrupted()) {
                    tally.close();
                }
                // Empty unless the run ends early (interrupted, or a listener threw).
                inFlight.values().forEach(look -> look.cancel(true));
            }
            return !Thread.currentThread().isInterrupted();
        }

        /** Before looking again: does the sandbox still answer at all (asked at most once a pause)? */
        private boolean alive(List<Integer> dueNow, Instant now) {
            List<Integer> again = dueNow.stream().filter(i -> tally.result(i) != null).toList();
            if (again.isEmpty() || now.isBefore(askedAlive.plus(RETRY_PAUSE))) {
                return true;
            }
            askedAlive = now;
            String down = context.unreachable();
            if (down != null) {
                tally.record(again.get(0), stoppedResult(specs.get(again.get(0)), down, 0));
                return false;
            }
            return true;
        }

        private void dispatch(List<Integer> dueNow) throws InterruptedException {
            for (int i : dueNow) {
                if (!specs.get(i).type().probe()) {
                    due[i] = null;
                    lookAt(i);
                    after(i);
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            for (int i : dueNow) {
                if (specs.get(i).type().probe()) {
                    due[i] = null;
                    // The pool's rejection runs the look on this thread: it is then finished when submit returns.
                    inFlight.put(i, probes.submit(() -> {
                        try {
                            lookAt(i);
                        } finally {
                            finished.add(i);
                        }
                    }));
                }
            }
        }

        /** A look has finished: surface what its thread threw, and schedule the check's next look. */
        private void settle(int i) throws InterruptedException {
            join(inFlight.remove(i));
            after(i);
        }

        private void after(int i) {
            CheckResult result = tally.result(i);
            Instant now = Instant.now();
            if (retrying && result != null && result.waiting() && !tally.wrong() && now.isBefore(deadlines[i])) {
                // One last look at the deadline itself, so that "still so after" is what was seen then.
                Instant next = now.plus(RETRY_PAUSE);
                due[i] = next.isBefore(deadlines[i]) ? next : deadlines[i];
            }
        }

        /**
         * Once a result is wrong the step is decided: a check's last result (each check reported once)
         * stands, and another look, seconds when packets are dropped, would only delay the verdict.
         */
        private boolean skipped(int i) {
            return tally.decided() || retrying && tally.result(i) != null && tally.wrong();
        }

        private void lookAt(int i) {
            if (!skipped(i)) {
                tally.record(i, look(specs.get(i), context, tally.result(i), observer));
            }
        }
    }

    /**
     * Waits for a look sent to the pool. What a check throws is a result already (evaluate): what
     * comes out here is the listener's failure or an Error, and ends the run as it would have on the
     * run's thread.
     */
    private static void join(Future<?> look) throws InterruptedException {
        try {
            look.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * What a run knows so far, written by the threads of its probes: every access holds its lock,
     * and so does each call of the listener, so that the listener's calls never overlap. Once
     * closed, what a late probe finds is dropped. Made on the run's thread.
     */
    private static final class Tally {
        final CheckResult[] results;
        private final Listener listener;
        private final Thread run = Thread.currentThread();
        private final List<Integer> evaluated = new ArrayList<>();
        private List<Integer> beforeWrong;
        private boolean decided;
        private boolean wrong;
        private boolean closed;

        Tally(int size, Listener listener) {
            this.results = new CheckResult[size];
            this.listener = listener;
        }

        /**
         * Keeps a check's result, telling the listener when it is the first or says something new. A
         * result found by an interrupted thread (the learner went away, the probe was cancelled) is
         * no verdict: it ends the tally instead.
         */
        synchronized void record(int i, CheckResult result) {
            if (closed || Thread.currentThread().isInterrupted()) {
                closed = true;
                return;
            }
            CheckResult before = results[i];
            if (before == null || !result.message().equals(before.message()) || !result.state().equals(before.state())) {
                listener.result(i, result);
                if (Thread.currentThread() != run && Thread.interrupted()) {
                    // The listener asked to stop from a probe's thread: it is the run that stops.
                    closed = true;
                    run.interrupt();
                }
            }
            results[i] = result;
            if (beforeWrong == null && result.wrong()) {
                // Only a first look's wrong result: one found by a retry ends the run as it stands.
                beforeWrong = before == null ? evaluated.stream().distinct().toList() : List.of();
            }
            evaluated.add(i);
            wrong |= result.wrong();
            decided |= stopped(result);
        }

        synchronized CheckResult result(int i) {
            return results[i];
        }

        /** The checks whose results came in before the first wrong one, when that was a check's first look. */
        synchronized List<Integer> beforeWrong() {
            return beforeWrong == null ? List.of() : beforeWrong;
        }

        /** The cluster stopped: nothing more is worth asking. */
        synchronized boolean decided() {
            return decided;
        }

        synchronized boolean wrong() {
            return wrong;
        }

        synchronized void close() {
            closed = true;
        }
    }

    /**
     * The cluster's stillness, observed for a run's looks: an observation serves every look that began
     * before it was made (looks falling due together share one), and a look that began after it gets
     * a new one.
     */
    private static final class Observer {
        private final ClusterStillness stillness;
        private ClusterStillness.Quiet quiet;
        private Instant observed;

        Observer(ClusterStillness stillness) {
            this.stillness = stillness;
        }

        /** How still the cluster was once a look had begun, and how long after it began that was seen. */
        synchronized Seen since(Instant begun) {
            if (observed == null || observed.isBefore(begun)) {
                observed = Instant.now();
                quiet = stillness.observe();
            }
            return new Seen(quiet, Duration.between(begun, observed));
        }
    }

    private record Seen(ClusterStillness.Quiet quiet, Duration after) {
    }

    /** One look at a check, its result judged against the check's previous one (none at first sight). */
    private CheckResult look(CheckSpec spec, CheckContext context, CheckResult before, Observer observer) {
        Instant begun = Instant.now();
        CheckResult result = evaluate(spec, context);
        if (before != null && result.waiting() && maySettle(spec) && sameFailure(spec, result.message(), before.message())) {
            // The same failure twice: final if nothing in the cluster could still change it.
            ClusterStillness.Quiet quiet = observer.since(begun).quiet();
            return settled(spec, result.message(), quiet) ? finalResult(spec, result, quiet.still()) : result;
        }
        return judgedAtFirstSight(spec, result, begun, observer);
    }

    /**
     * A probe's failure is final the first time it is seen when the probe watched for it a while (a
     * connection that timed out, many requests) and the cluster had already been still for as long as
     * {@link #settled} asks before the probe began: nothing was converging that the probe could have
     * caught half-way, so asking again would see the same. An instant failure (a refusal) may be a
     * blip the API does not show (a server between two connections), and what varies from request to
     * request (which pods answer) or a probe that did not run to its end (the platform's fault, not
     * the learner's answer) proves nothing once: those wait to be seen twice.
     */
    private static CheckResult judgedAtFirstSight(CheckSpec spec, CheckResult result, Instant begun, Observer observer) {
        if (!result.waiting() || !spec.type().probe() || spec.type() == CheckType.LOAD_BALANCING || !maySettle(spec)
                || result.millis() < WATCHED.toMillis() || !observed(result.message())) {
            return result;
        }
        Seen seen = observer.since(begun);
        // How still it was when the probe began: what was seen, less the time the probe took.
        return settled(spec, result.message(), seen.quiet().before(seen.after()))
                ? finalResult(spec, result, seen.quiet().still()) : result;
    }

    /** Whether a failure is an answer of the learner's cluster, not a fault of the way the platform asked it. */
    static boolean observed(String message) {
        return !message.contains(dev.servicelab.sandbox.PodExec.NOT_RUN) && !message.startsWith(COULD_NOT_RUN)
                && !message.startsWith(HttpCheck.PLATFORM_FAILED) && !message.startsWith(API_REFUSED);
    }

    /** A converging failure turned final, with why it is final said before the hint. */
    private static CheckResult finalResult(CheckSpec spec, CheckResult result, Duration still) {
        String note = STILL.formatted(still.toSeconds());
        String hint = spec.hint().map(h -> " Hint: " + h).orElse("");
        String message = !hint.isEmpty() && result.message().endsWith(hint)
                ? result.message().substring(0, result.message().length() - hint.length()) + note + hint
                : result.message() + note;
        return new CheckResult(result.title(), result.type(), false, message, result.millis(), CheckResult.WRONG);
    }

    private static boolean stopped(CheckResult result) {
        return result.wrong() && result.message().startsWith("Your cluster stopped");
    }

    private CheckResult evaluate(CheckSpec spec, CheckContext context) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = checks.get(spec.type()).evaluate(spec, context);
        } catch (CheckContext.Missing e) {
            outcome = e.converging() ? Outcome.fail(e.getMessage()) : Outcome.wrong(e.getMessage());
        } catch (KubernetesClientException e) {
            String unreachable = unreachable(e);
            if (unreachable != null) {
                return stoppedResult(spec, unreachable, (System.nanoTime() - start) / 1_000_000);
            }
            String refusal = API_REFUSED + " (" + e.getCode() + "): "
                    + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
            // A 4xx is the API's final word on the question; anything else may be a passing hiccup.
            outcome = e.getCode() >= 400 && e.getCode() < 500 ? Outcome.wrong(refusal) : Outcome.fail(refusal);
        } catch (RuntimeException e) {
            outcome = Outcome.fail(COULD_NOT_RUN + e.getMessage() + ".");
        }
        String message = outcome.message();
        if (!outcome.passed() && spec.hint().isPresent()) {
            message = message + " Hint: " + spec.hint().get();
        }
        return new CheckResult(spec.title(), spec.type().yamlName(), outcome.passed(), message,
                (System.nanoTime() - start) / 1_000_000, switch (outcome.state()) {
                    case PASSED -> CheckResult.PASSED;
                    case WRONG -> CheckResult.WRONG;
                    case CONVERGING -> CheckResult.WAITING;
                });
    }

    private static CheckResult stoppedResult(CheckSpec spec, String why, long millis) {
        return new CheckResult(spec.title(), spec.type().yamlName(), false, CLUSTER_STOPPED.formatted(why), millis,
                CheckResult.WRONG);
    }

    /** Why the API server cannot be reached at all, or null when the exception is about something else. */
    static String unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof HttpConnectTimeoutException) {
                return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            }
            if (cause instanceof IOException io && io.getMessage() != null && io.getMessage().contains("Connection refused")) {
                return io.getMessage();
            }
        }
        return null;
    }

    /**
     * Waits until the learner's NetworkPolicies are in force on every node (see {@link PolicyEnforcement}):
     * a probe sent before would see traffic the new policy is about to drop, and pass a wrong answer.
     */
    private static void awaitPoliciesEnforced(CheckContext context) {
        if (context.client() == null) {
            return;
        }
        try {
            PolicyEnforcement.await(context.client());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Unknown: check at once, as without policies.
        }
    }
}
