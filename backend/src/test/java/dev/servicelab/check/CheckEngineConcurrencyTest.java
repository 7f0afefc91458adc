package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A pass's probes run side by side: a step's verdict costs its slowest probe, not the sum of them, and
 * each result is heard as it arrives, one call of the listener at a time.
 */
class CheckEngineConcurrencyTest {

    /** Probes that take a scripted time (blocking, as a curl waiting for its timeout does) and then answer as scripted. */
    static final class Timed implements Check {
        private final Map<String, Long> millis;
        private final Map<String, Outcome> outcomes;
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        final Set<String> interrupted = ConcurrentHashMap.newKeySet();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        Timed(Map<String, Long> millis, Map<String, Outcome> outcomes) {
            this.millis = millis;
            this.outcomes = outcomes;
        }

        @Override
        public Set<CheckType> types() {
            return Set.of(CheckType.values());
        }

        @Override
        public Outcome evaluate(CheckSpec spec, CheckContext context) {
            calls.computeIfAbsent(spec.title(), t -> new AtomicInteger()).incrementAndGet();
            threads.add(Thread.currentThread());
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis.getOrDefault(spec.title(), 0L));
                finished.add(spec.title());
                return outcomes.get(spec.title());
            } catch (InterruptedException e) {
                interrupted.add(spec.title());
                Thread.currentThread().interrupt();
                return Outcome.fail("interrupted");
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private static final Sandbox SANDBOX = new Sandbox("s", "o", "l", "", List.of(), Instant.now());

    @Test
    void threeOneSecondProbesOfAStepTakeAboutOneSecondNotThree() {
        Timed checks = new Timed(Map.of("a", 1_000L, "b", 1_000L, "c", 1_000L),
                Map.of("a", Outcome.pass("a"), "b", Outcome.pass("b"), "c", Outcome.pass("c")));

        StepReport report = engine(checks, 16).run("lab", step(probe("a"), probe("b"), probe("c")), context());

        assertThat(report.passed()).isTrue();
        assertThat(report.millis()).as("the slowest probe, not the sum").isLessThan(2_000);
        assertThat(checks.mostAtOnce.get()).isEqualTo(3);
    }

    @Test
    void aWrongProbesResultReachesTheListenerBeforeASlowerProbeOfTheSamePassHasFinished() {
        Timed checks = new Timed(Map.of("slow", 1_500L, "dropped", 100L),
                Map.of("slow", Outcome.pass("answered"), "dropped", Outcome.wrong("the request was answered, expected it dropped")));
        List<String> heard = new ArrayList<>();

        StepReport report = engine(checks, 16).run("lab", step(probe("slow"), probe("dropped")), context(),
                (index, result) -> heard.add(index + " " + result.state() + (checks.finished.contains("slow") ? " after slow" : "")));

        assertThat(heard).as("the probe in flight finishes and is heard too").containsExactly("1 wrong", "0 passed after slow");
        assertThat(report.results()).extracting(CheckResult::state).containsExactly("passed", "wrong");
    }

    @Test
    void aRefusalIsAskedAgainOnItsOwnTimelineWithoutWaitingForTheSlowestProbeOfTheStep() {
        // A refusal is seen twice before it is final; the step's other probe watches for 3 s (a drop).
        Timed checks = new Timed(Map.of("dropped", 3_000L, "refused", 50L),
                Map.of("dropped", Outcome.pass("timed out, as it should"),
                        "refused", Outcome.fail("GET http://10.43.0.10/ failed: the connection was refused.")));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());

        StepReport report = engine(checks, 16).run("lab", step(probe("dropped"), probe("refused")),
                new CheckContext(SANDBOX, null, () -> new ClusterStillness.Quiet(Duration.ofSeconds(10), Duration.ofSeconds(10))),
                (index, result) -> heard.add(index + " " + result.state() + (checks.finished.contains("dropped") ? " after the drop" : "")));

        assertThat(heard).containsExactly("1 waiting", "1 wrong", "0 passed after the drop");
        assertThat(checks.calls.get("refused").get()).isEqualTo(2);
        assertThat(report.results()).extracting(CheckResult::state).containsExactly("passed", "wrong");
    }

    @Test
    void callsIntoTheListenerNeverOverlap() {
        Map<String, Long> millis = new java.util.HashMap<>();
        Map<String, Outcome> outcomes = new java.util.HashMap<>();
        CheckSpec[] probes = new CheckSpec[8];
        for (int i = 0; i < probes.length; i++) {
            millis.put("p" + i, 200L);
            outcomes.put("p" + i, Outcome.pass("ok"));
            probes[i] = probe("p" + i);
        }
        Timed checks = new Timed(millis, outcomes);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Integer> heard = Collections.synchronizedList(new ArrayList<>());

        engine(checks, 16).run("lab", step(probes), context(), (index, result) -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            // A listener that takes its time (a slow socket): results arriving meanwhile must wait their turn.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            heard.add(index);
            inside.decrementAndGet();
        });

        assertThat(heard).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(mostInside.get()).isEqualTo(1);
        assertThat(checks.mostAtOnce.get()).as("the probes themselves ran side by side").isGreaterThan(1);
    }

    @Test
    void aPoolOfOneThreadStillRunsEveryProbeTheCheckThreadTakingWhatThePoolCannot() {
        Timed checks = new Timed(Map.of("a", 300L, "b", 300L, "c", 300L, "d", 300L),
                Map.of("a", Outcome.pass("a"), "b", Outcome.pass("b"), "c", Outcome.pass("c"), "d", Outcome.pass("d")));

        StepReport report = engine(checks, 1).run("lab", step(probe("a"), probe("b"), probe("c"), probe("d")), context());

        assertThat(report.passed()).isTrue();
        assertThat(checks.calls).containsOnlyKeys("a", "b", "c", "d");
        assertThat(checks.calls.values()).allMatch(calls -> calls.get() == 1);
        assertThat(checks.threads).hasSizeLessThanOrEqualTo(2).contains(Thread.currentThread());
    }

    @Test
    void interruptingTheRunCancelsTheProbesInFlightAndEndsItPromptly() {
        // Probes that would block for a minute: only being cancelled ends them early.
        Timed checks = new Timed(Map.of("a", 60_000L, "b", 60_000L, "c", 60_000L),
                Map.of("a", Outcome.pass("a"), "b", Outcome.pass("b"), "c", Outcome.pass("c")));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<StepReport> report = new AtomicReference<>();
        Thread run = new Thread(() -> report.set(engine(checks, 16).run("lab", step(probe("a"), probe("b"), probe("c")), context(),
                (index, result) -> heard.add(index + " " + result.message()))));
        run.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> checks.running.get() == 3);

        run.interrupt();

        await().atMost(Duration.ofSeconds(3)).until(() -> !run.isAlive());
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(checks.interrupted).containsExactlyInAnyOrder("a", "b", "c"));
        assertThat(report.get().passed()).isFalse();
        assertThat(heard).as("what cancelled probes found is no verdict").isEmpty();
    }

    @Test
    void aListenerThatInterruptsAProbesThreadStopsTheRun() {
        // "fast" is sent from a pool thread, "slow" from the run's own, which would wait a minute for it.
        Timed checks = new Timed(Map.of("fast", 50L, "slow", 60_000L), Map.of("fast", Outcome.pass("fast"), "slow", Outcome.pass("slow")));
        AtomicReference<StepReport> report = new AtomicReference<>();
        Thread run = new Thread(() -> report.set(engine(checks, 16).run("lab", step(probe("fast"), probe("slow")), context(),
                // As the page's stream does when the browser has left.
                (index, result) -> Thread.currentThread().interrupt())));
        run.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !run.isAlive());
        assertThat(checks.interrupted).containsExactly("slow");
        assertThat(report.get().passed()).isFalse();
    }

    @Test
    void resultsArriveInTheOrderTheyAreFoundAndKeepTheLabsOrderInTheReport() {
        Timed checks = new Timed(Map.of("slowest", 600L, "api", 0L, "fast", 50L, "middle", 300L),
                Map.of("slowest", Outcome.pass("1"), "api", Outcome.pass("2"), "fast", Outcome.pass("3"), "middle", Outcome.pass("4")));
        List<Integer> heard = new ArrayList<>();
        CheckSpec api = new CheckSpec(CheckType.RESOURCE, "api", "default", 30, Optional.empty(), Map.of(), "test");

        StepReport report = engine(checks, 16).run("lab", step(probe("slowest"), api, probe("fast"), probe("middle")), context(),
                (index, result) -> heard.add(index));

        assertThat(heard).containsExactly(1, 2, 3, 0);
        assertThat(report.results()).extracting(CheckResult::title).containsExactly("slowest", "api", "fast", "middle");
    }

    @Test
    void onceAProbeIsWrongNoNewProbeIsStartedThoseInFlightFinishAndAreKept() {
        // One pool thread: in the retry round "a" holds it until "b" (sent by the check's own thread,
        // the pool being busy, once "a" is in flight) has answered wrong; "c" would be next, and is not sent.
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bAnswered = new CountDownLatch(1);
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        Check check = new Check() {
            @Override
            public Set<CheckType> types() {
                return Set.of(CheckType.values());
            }

            @Override
            public Outcome evaluate(CheckSpec spec, CheckContext context) {
                int call = calls.computeIfAbsent(spec.title(), t -> new AtomicInteger()).incrementAndGet();
                if (call == 1) {
                    return Outcome.fail(spec.title() + " not yet");
                }
                return switch (spec.title()) {
                    case "a" -> {
                        aStarted.countDown();
                        waitFor(bAnswered);
                        yield Outcome.pass("a answered");
                    }
                    case "b" -> {
                        waitFor(aStarted);
                        bAnswered.countDown();
                        yield Outcome.wrong("b dropped for good");
                    }
                    default -> Outcome.pass(spec.title() + " answered");
                };
            }
        };
        List<String> heard = Collections.synchronizedList(new ArrayList<>());

        StepReport report = engine(check, 1).run("lab", step(probe("a"), probe("b"), probe("c")), context(),
                (index, result) -> heard.add(index + " " + result.state()));

        assertThat(calls.get("c").get()).isEqualTo(1);
        assertThat(report.results()).extracting(CheckResult::state).containsExactly("passed", "wrong", "waiting");
        assertThat(heard.subList(3, heard.size())).containsExactlyInAnyOrder("1 wrong", "0 passed");
    }

    @Test
    void aRetryRoundLooksAtTheClustersStillnessOnceHoweverManyProbesAskForIt() {
        Timed checks = new Timed(Map.of("a", 100L, "b", 100L, "c", 100L), Map.of(
                "a", Outcome.fail("GET http://10.43.0.10/ failed: timed out"),
                "b", Outcome.fail("GET http://10.43.0.11/ failed: timed out"),
                "c", Outcome.fail("GET http://10.43.0.12/ failed: timed out")));
        AtomicInteger observed = new AtomicInteger();
        ClusterStillness still = () -> {
            observed.incrementAndGet();
            return new ClusterStillness.Quiet(Duration.ofSeconds(10), Duration.ofSeconds(10));
        };

        StepReport report = engine(checks, 16).run("lab", step(probe("a", "http://10.43.0.10/"), probe("b", "http://10.43.0.11/"),
                probe("c", "http://10.43.0.12/")), new CheckContext(SANDBOX, null, still));

        assertThat(report.results()).extracting(CheckResult::state).containsExactly("wrong", "wrong", "wrong");
        assertThat(observed.get()).isEqualTo(1);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CheckEngine engine(Check check, int probeThreads) {
        return new CheckEngine(List.of(check), new CheckProperties(1, probeThreads));
    }

    private static CheckContext context() {
        return new CheckContext(SANDBOX, null);
    }

    private static CheckSpec probe(String title) {
        return probe(title, "http://10.43.0.10/");
    }

    private static CheckSpec probe(String title, String url) {
        return new CheckSpec(CheckType.HTTP, title, "default", 30, Optional.empty(), Map.of("url", url), "test");
    }

    private static LabStep step(CheckSpec... checks) {
        return new LabStep("step", "Step", "", List.of(), Arrays.asList(checks), List.of(), new LabStep.Solution(List.of(),
                List.of(), List.of()), List.of());
    }
}
