package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Sandbox;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine answers a wrong answer at once, retries only what converges, and streams results as they arrive. */
class CheckEngineTest {

    /** A check whose outcome is scripted per check title. */
    static final class Scripted implements Check {
        final Map<String, List<Outcome>> script;
        final Map<String, AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();

        Scripted(Map<String, List<Outcome>> script) {
            this.script = script;
        }

        @Override
        public Set<CheckType> types() {
            return Set.of(CheckType.values());
        }

        @Override
        public Outcome evaluate(CheckSpec spec, CheckContext context) {
            int n = calls.computeIfAbsent(spec.title(), t -> new AtomicInteger()).getAndIncrement();
            List<Outcome> outcomes = script.get(spec.title());
            return outcomes.get(Math.min(n, outcomes.size() - 1));
        }
    }

    /** Scripted checks need no cluster; without a client the engine's liveness probe just finds nothing to say. */
    private static final CheckContext NO_CLUSTER = new CheckContext(new Sandbox("s", "o", "l", "", List.of(), Instant.now()), null);

    @Test
    void aDefinitelyWrongCheckDecidesTheStepAtOnceWhateverTheOthersRetryWindows() {
        Scripted checks = new Scripted(Map.of(
                "targetPort", List.of(Outcome.wrong("Service api: spec.ports[0].targetPort is 80, expected 8080.")),
                "endpoints", List.of(Outcome.fail("Service api has 0 ready endpoint address(es)")),
                "http", List.of(Outcome.fail("GET http://api/ failed: the connection was refused"))));
        StepReport report = engine(checks).run("lab", step(spec("targetPort", 30), spec("endpoints", 30),
                spec("http", 30)), context());

        assertThat(report.passed()).isFalse();
        assertThat(report.millis()).isLessThan(2_000);
        assertThat(report.results()).extracting(CheckResult::state).containsExactly("wrong", "waiting", "waiting");
        // Checked after the wrong one: their messages are of the same moment already.
        assertThat(checks.calls.get("http").get()).isEqualTo(1);
    }

    @Test
    void theApiChecksAnswerBeforeAnyProbeIsSentSoAWrongFieldShowsWithoutWaitingForTheSandbox() {
        Scripted checks = new Scripted(Map.of(
                "answers", List.of(Outcome.fail("GET http://api/ failed: the connection was refused")),
                "targetPort", List.of(Outcome.wrong("Service api: spec.ports[0].targetPort is 80, expected 8080."))));
        List<String> heard = new ArrayList<>();
        StepReport report = engine(checks).run("lab", step(probe(CheckType.HTTP, "answers", 30),
                spec("targetPort", 0)), context(), (index, result) -> heard.add(index + " " + result.state()));

        assertThat(heard).containsExactly("1 wrong", "0 waiting");
        assertThat(report.results()).extracting(CheckResult::state).as("results keep the lab's order")
                .containsExactly("waiting", "wrong");
    }

    @Test
    void onceARetriedCheckTurnsWrongNoProbeIsSentAgain() {
        Scripted checks = new Scripted(Map.of(
                "port 80", List.of(Outcome.fail("refused"), Outcome.wrong("refused for good")),
                "same pod", List.of(Outcome.fail("distinct pods: 0"))));
        // A round asks the API before it sends its probes: the probe is not sent once the step is decided.
        StepReport report = engine(checks).run("lab", step(spec("port 80", 30),
                probe(CheckType.EXEC, "same pod", 30)), context());

        assertThat(report.results()).extracting(CheckResult::state).containsExactly("wrong", "waiting");
        assertThat(checks.calls.get("same pod").get()).isEqualTo(1);
    }

    @Test
    void convergingChecksSeenBeforeTheWrongOneAreLookedAtOnceMoreSoAllMessagesDescribeOneMoment() {
        Scripted checks = new Scripted(Map.of(
                "env", List.of(Outcome.fail("No Ready pod labelled app=frontend"),
                        Outcome.wrong("Pod frontend-1 has no CATALOG_SERVICE_HOST.")),
                "port", List.of(Outcome.wrong("Pod frontend-1 has no CATALOG_SERVICE_PORT."))));
        StepReport report = engine(checks).run("lab", step(spec("env", 90), spec("port", 90)), context());

        assertThat(report.results()).extracting(CheckResult::message).containsExactly(
                "Pod frontend-1 has no CATALOG_SERVICE_HOST.", "Pod frontend-1 has no CATALOG_SERVICE_PORT.");
        assertThat(checks.calls.get("env").get()).isEqualTo(2);
    }

    @Test
    void aConvergingCheckIsRetriedUntilItPasses() {
        Scripted checks = new Scripted(Map.of(
                "pods", List.of(Outcome.fail("1 of 3 pods are Ready"), Outcome.fail("2 of 3 pods are Ready"),
                        Outcome.pass("3 pods are Ready"))));
        StepReport report = engine(checks).run("lab", step(spec("pods", 30)), context());

        assertThat(report.passed()).isTrue();
        assertThat(checks.calls.get("pods").get()).isEqualTo(3);
    }

    @Test
    void aCheckStillConvergingWhenItsTimeIsUpFailsAsWaiting() {
        Scripted checks = new Scripted(Map.of("dns", List.of(Outcome.fail("no A record"))));
        StepReport report = engine(checks).run("lab", step(spec("dns", 1)), context());

        assertThat(report.passed()).isFalse();
        assertThat(report.results().get(0).state()).isEqualTo("waiting");
        assertThat(report.results().get(0).message()).isEqualTo("no A record (Still so after 1 s.)");
        assertThat(report.millis()).isBetween(1_000L, 3_000L);
    }

    @Test
    void theListenerHearsEachResultAsItArrivesAndAgainWhenItChanges() {
        Scripted checks = new Scripted(Map.of(
                "service", List.of(Outcome.pass("Service api is as expected.")),
                "pods", List.of(Outcome.fail("1 of 2 pods are Ready"), Outcome.pass("2 pods are Ready"))));
        List<String> heard = new ArrayList<>();
        engine(checks).run("lab", step(spec("service", 0), spec("pods", 30)), context(),
                (index, result) -> heard.add(index + " " + result.state()));

        assertThat(heard).containsExactly("0 passed", "1 waiting", "1 passed");
    }

    @Test
    void aCheckWhoseClusterIsGoneEndsAtOnceSayingSo() {
        // Nothing listens on port 1: the API server of this "sandbox" is gone.
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1")
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000).build()).build()) {
            CheckContext context = new CheckContext(new Sandbox("s", "o", "l", "", List.of(), Instant.now()), client);
            Check listsPods = new Check() {
                @Override
                public Set<CheckType> types() {
                    return Set.of(CheckType.values());
                }

                @Override
                public Outcome evaluate(CheckSpec spec, CheckContext c) {
                    c.client().pods().inNamespace("default").list();
                    return Outcome.pass("listed");
                }
            };
            StepReport report = engine(listsPods).run("lab", step(spec("pods", 60), spec("endpoints", 60)), context);

            assertThat(report.passed()).isFalse();
            // Not the checks' 60 s windows: no retries (the bound is loose for a busy machine's first request).
            assertThat(report.millis()).isLessThan(20_000);
            assertThat(report.results().get(0).message()).startsWith("Your cluster stopped");
            assertThat(report.results().get(1).message()).contains("the cluster stopped");
        }
    }

    @Test
    void aProbeThatWatchedItsFailureInAClusterAlreadyStillBeforeItBeganIsWrongAtFirstSight() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://api/ failed: it timed out (dropped?)."))));
        StepReport report = engine(slowly(checks, CheckEngine.WATCHED)).run("lab", step(probe(CheckType.HTTP, "http", 30,
                Map.of("url", "http://api/"))), stillFor(10));

        assertThat(report.results().get(0).state()).isEqualTo("wrong");
        assertThat(report.results().get(0).message()).startsWith("GET http://api/ failed: it timed out (dropped?). "
                + "(Nothing in your cluster changed for 1");
        assertThat(checks.calls.get("http").get()).as("nothing could have changed: not asked again").isEqualTo(1);
    }

    @Test
    void anInstantFailureInAStillClusterIsAskedAgainForItMayBeABlip() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://api/ failed: the connection was refused."),
                Outcome.pass("GET http://api/ answered 200."))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.HTTP, "http", 30,
                Map.of("url", "http://api/"))), stillFor(10));

        assertThat(report.passed()).as("a server between two connections refuses one").isTrue();
        assertThat(checks.calls.get("http").get()).isEqualTo(2);
    }

    @Test
    void aProbeFailingTheSameWayTwiceOnceTheClusterHasBecomeStillIsWrongWithoutWaitingOutItsWindow() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://api/ failed: the connection was refused."))));
        AtomicInteger observed = new AtomicInteger();
        // Changed a second before the first look (not yet final), still enough by the second.
        CheckContext settling = new CheckContext(NO_CLUSTER.sandbox(), null, () -> observed.getAndIncrement() == 0
                ? new ClusterStillness.Quiet(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(60))
                : new ClusterStillness.Quiet(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(60)));
        StepReport report = engine(slowly(checks, CheckEngine.WATCHED)).run("lab", step(probe(CheckType.HTTP, "http", 30,
                Map.of("url", "http://10.43.0.10/"))), settling);

        assertThat(report.millis()).isLessThan(8_000);
        assertThat(report.results().get(0).state()).isEqualTo("wrong");
        assertThat(checks.calls.get("http").get()).as("seen failing the same way twice").isEqualTo(2);
    }

    @Test
    void aSpreadOfAnswersIsNeverFinalAtFirstSightForItVariesFromRequestToRequest() {
        Scripted checks = new Scripted(Map.of("spread", List.of(Outcome.fail("answers came from 2 pods"),
                Outcome.pass("answers came from 3 pods"))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.LOAD_BALANCING, "spread", 30)), stillFor(10));

        assertThat(report.passed()).isTrue();
    }

    @Test
    void aProbeThatDidNotRunToItsEndIsAskedAgainHoweverStillTheCluster() {
        Scripted checks = new Scripted(Map.of("exec", List.of(
                Outcome.fail("`cat /tmp/x` in pod web exited with -1, expected 0: " + dev.servicelab.sandbox.PodExec.NOT_RUN
                        + "timed out after 15 s"),
                Outcome.pass("`cat /tmp/x` in pod web worked."))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.EXEC, "exec", 30,
                Map.of("command", "cat /tmp/x"))), stillFor(60));

        assertThat(report.passed()).isTrue();
        assertThat(CheckEngine.observed("The check could not run: boom.")).isFalse();
        assertThat(CheckEngine.observed("The platform could not run GET http://api/: no probe pod")).isFalse();
        assertThat(CheckEngine.observed("The cluster's API refused the check's question (503): busy")).isFalse();
        assertThat(CheckEngine.observed("GET http://api/ failed: the connection was refused.")).isTrue();
    }

    @Test
    void aProbeFailingWhileTheClusterIsStillChangingWaitsOutItsWindow() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://api/ failed: the connection was refused."))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.HTTP, "http", 2)), stillFor(1));

        assertThat(report.results().get(0).state()).isEqualTo("waiting");
        assertThat(report.millis()).isGreaterThanOrEqualTo(2_000);
    }

    @Test
    void aProbeWhoseFailureChangesIsStillConvergingHoweverStillTheClusterLooks() {
        Scripted checks = new Scripted(Map.of("spread", List.of(Outcome.fail("answers came from 1 pod"),
                Outcome.fail("answers came from 2 pods"), Outcome.pass("answers came from 3 pods"))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.LOAD_BALANCING, "spread", 30)),
                stillFor(10));

        assertThat(report.passed()).isTrue();
    }

    @Test
    void aMissingDnsNameIsOnlyFinalAfterCoreDnsCouldHaveForgottenItsCachedAnswer() {
        Scripted checks = new Scripted(Map.of("dns", List.of(Outcome.fail("web.default.svc.cluster.local: NXDOMAIN"))));

        StepReport soon = engine(checks).run("lab", step(probe(CheckType.DNS, "dns", 2)), stillFor(3));
        StepReport later = engine(checks).run("lab", step(probe(CheckType.DNS, "dns", 30)), stillFor(8));

        assertThat(soon.results().get(0).state()).isEqualTo("waiting");
        assertThat(later.results().get(0).state()).isEqualTo("wrong");
    }

    @Test
    void aRefusedRequestToAServiceNameIsFinalOnlyOnceNoCachedAnswerCanPredateTheLastServiceChange() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://web/ failed: the connection was refused."))));
        CheckSpec byName = probe(CheckType.HTTP, "http", 2, Map.of("url", "http://web.default.svc.cluster.local/"));
        CheckSpec byAddress = probe(CheckType.HTTP, "http", 2, Map.of("url", "http://{{service.web.clusterIP}}/"));

        StepReport justRecreated = engine(checks).run("lab", step(byName), stillFor(3, 3));
        StepReport sameAddress = engine(checks).run("lab", step(byAddress), stillFor(3, 3));

        assertThat(justRecreated.results().get(0).state()).isEqualTo("waiting");
        assertThat(sameAddress.results().get(0).state()).isEqualTo("wrong");
    }

    @Test
    void aNameThatDoesNotResolveWaitsForCoreDnsToForgetItsCachedAnswerWhateverTheCheck() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://web/ failed: "
                + Shell.curlEnding(6, "") + "."))));

        StepReport report = engine(checks).run("lab", step(probe(CheckType.HTTP, "http", 2,
                Map.of("url", "http://web/"))), stillFor(3, 60));

        assertThat(report.results().get(0).state()).isEqualTo("waiting");
    }

    @Test
    void aPortForwardInTheTerminalIsSeenFinalQuicklyForItNeedsNoName() {
        assertThat(CheckEngine.local("curl -s -m 3 http://localhost:18080/hello-pod")).isTrue();
        assertThat(CheckEngine.local("curl -s http://web.default.svc.cluster.local/")).isFalse();
        assertThat(CheckEngine.local("cat /tmp/calls.log")).as("no URL: it may resolve names").isFalse();
    }

    @Test
    void aHostReadFromAnObjectsIpFieldIsAnAddressNotAName() {
        assertThat(CheckEngine.local("curl -s -m 3 \"http://$(kubectl get pod bank -n default -o jsonpath='{.status.podIP}'):8080/\""))
                .isTrue();
        assertThat(CheckEngine.local("curl -s \"http://$(kubectl get svc -o jsonpath='{.items[0].metadata.name}')/\""))
                .as("a name read from the API is still a name").isFalse();
        assertThat(CheckEngine.local("curl -s \"http://$(cat /tmp/host)/\"")).isFalse();
    }

    @Test
    void anAnswerThatOnlyDiffersInItsNumbersIsTheSameFailure() {
        Scripted checks = new Scripted(Map.of("exec", List.of(
                Outcome.fail("`curl …` printed \"bank-7f9c answered 10.42.0.7:41234 at 12:00:01\", which does not contain \"impostor-\"."),
                Outcome.fail("`curl …` printed \"bank-7f9c answered 10.42.0.7:41876 at 12:00:02\", which does not contain \"impostor-\"."))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.EXEC, "exec", 30,
                Map.of("command", "curl -s http://10.42.0.7:8080/"))), stillFor(10));

        assertThat(report.results().get(0).state()).isEqualTo("wrong");
    }

    @Test
    void anAnswerThatOnlyDiffersInWhichPodOfADeploymentAnsweredIsTheSameFailure() {
        Scripted checks = new Scripted(Map.of("ingress", List.of(
                Outcome.fail("GET http://172.18.0.3/api/cart answered \"message: storefront pod: storefront-7f9c5d8b4-x2k4p\", "
                        + "which does not contain \"message: api\"."),
                Outcome.fail("GET http://172.18.0.3/api/cart answered \"message: storefront pod: storefront-7f9c5d8b4-qq9zt\", "
                        + "which does not contain \"message: api\"."))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.OUTSIDE_HTTP, "ingress", 30,
                Map.of("url", "http://172.18.0.3/api/cart"))), stillFor(10));

        assertThat(report.results().get(0).state()).isEqualTo("wrong");
        assertThat(CheckEngine.sameFailure(probe(CheckType.LOAD_BALANCING, "spread", 30), "pods: web-7f9c5d8b4-x2k4p",
                "pods: web-7f9c5d8b4-qq9zt")).as("a spread is its pods").isFalse();
    }

    @Test
    void aSpreadReachingTheSamePodsWithOtherCountsIsTheSameFailure() {
        CheckSpec spread = probe(CheckType.LOAD_BALANCING, "spread", 30);
        assertThat(CheckEngine.sameFailure(spread,
                "12 requests to http://api/ reached 1 pod(s) (api-59f8d658f9-mh6rf 7), 5 got no answer; expected at least 2.",
                "12 requests to http://api/ reached 1 pod(s) (api-59f8d658f9-mh6rf 9), 3 got no answer; expected at least 2."))
                .isTrue();
        assertThat(CheckEngine.sameFailure(spread,
                "12 requests to http://api/ reached 1 pod(s) (api-59f8d658f9-mh6rf 12); expected at least 2.",
                "12 requests to http://api/ reached 1 pod(s) (api-59f8d658f9-mh6rf 7), 5 got no answer; expected at least 2."))
                .as("some unanswered, then none").isFalse();
    }

    @Test
    void aPodLogThatMayStillGrowIsNeverTakenAsFinalEarly() {
        Scripted checks = new Scripted(Map.of("log", List.of(Outcome.fail("no line contains \"ready\""))));
        StepReport report = engine(checks).run("lab", step(probe(CheckType.POD_LOG, "log", 2)), stillFor(60));

        assertThat(report.results().get(0).state()).isEqualTo("waiting");
    }

    @Test
    void theReasonAFailureIsFinalComesBeforeTheHint() {
        Scripted checks = new Scripted(Map.of("http", List.of(Outcome.fail("GET http://api/ was refused."))));
        CheckSpec hinted = new CheckSpec(CheckType.HTTP, "http", "default", 30, Optional.of("Look at targetPort."),
                Map.of("url", "http://10.43.0.10/"), "test");
        StepReport report = engine(checks).run("lab", step(hinted), stillFor(4));

        assertThat(report.results().get(0).message()).startsWith("GET http://api/ was refused. (Nothing in your cluster")
                .endsWith("check again.) Hint: Look at targetPort.");
    }

    /** The same checks, each taking at least this long, as a curl waiting out its timeout does. */
    private static Check slowly(Check check, java.time.Duration time) {
        return new Check() {
            @Override
            public Set<CheckType> types() {
                return check.types();
            }

            @Override
            public Outcome evaluate(CheckSpec spec, CheckContext context) {
                try {
                    Thread.sleep(time.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return check.evaluate(spec, context);
            }
        };
    }

    /** An engine with the default number of probe threads. */
    static CheckEngine engine(Check check) {
        return new CheckEngine(List.of(check), new CheckProperties(1, 16));
    }

    private static CheckContext stillFor(int seconds) {
        return stillFor(seconds, seconds);
    }

    private static CheckContext stillFor(int seconds, int sinceNamesChanged) {
        var quiet = new ClusterStillness.Quiet(java.time.Duration.ofSeconds(seconds), java.time.Duration.ofSeconds(sinceNamesChanged));
        return new CheckContext(NO_CLUSTER.sandbox(), null, () -> quiet);
    }

    private static CheckSpec probe(CheckType type, String title, int timeoutSeconds) {
        return probe(type, title, timeoutSeconds, Map.of());
    }

    private static CheckSpec probe(CheckType type, String title, int timeoutSeconds, Map<String, Object> params) {
        return new CheckSpec(type, title, "default", timeoutSeconds, Optional.empty(), params, "test");
    }

    private static CheckContext context() {
        return NO_CLUSTER;
    }

    private static CheckSpec spec(String title, int timeoutSeconds) {
        return new CheckSpec(CheckType.RESOURCE, title, "default", timeoutSeconds, Optional.empty(), Map.of(), "test");
    }

    private static LabStep step(CheckSpec... checks) {
        return new LabStep("step", "Step", "", List.of(), Arrays.asList(checks), List.of(), new LabStep.Solution(List.of(),
                List.of(), List.of()), List.of());
    }
}
