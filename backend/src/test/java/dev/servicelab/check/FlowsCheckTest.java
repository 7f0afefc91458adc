package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.traffic.TrafficRun;
import dev.servicelab.traffic.TrafficService;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * flows against runs of the traffic panel as the traffic session records them: what it sent, what
 * answered, and which pods the nodes saw answer. No cluster.
 */
class FlowsCheckTest {

    static final long NOW = 1_000_000_000L;
    static final String STOREFRONT = MockCluster.NAMESPACE + "/storefront";

    /** A finished run, {@code secondsAgo} before NOW. */
    static TrafficRun run(int secondsAgo, String via, String node, int sent, int answered, int timedOut,
            Map<String, Long> answeredBy) {
        long ended = NOW - secondsAgo * 1000L;
        return new TrafficRun(ended - 800, ended, STOREFRONT, via, node, sent, answered, timedOut, answeredBy,
                Map.of(), false);
    }

    static final Map<String, Long> THREE_PODS = Map.of(MockCluster.NAMESPACE + "/storefront-a", 11L,
            MockCluster.NAMESPACE + "/storefront-b", 10L, MockCluster.NAMESPACE + "/storefront-c", 9L);

    static CheckSpec answeredByThree() {
        return spec(CheckType.FLOWS, "service", "storefront", "via", "nodePort", "answeredBy", "3", "minConnections", "30");
    }

    static CheckSpec droppedOnTheAgent() {
        return spec(CheckType.FLOWS, "service", "storefront", "via", "nodePort", "node", "agent", "unanswered", "true");
    }

    @Test
    void thirtyRequestsAnsweredByThreePodsPassAndSayWhoAnswered() {
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(run(5, "nodePort", "server", 30, 30, 0, THREE_PODS)), NOW);
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
        assertThat(outcome.message()).contains("last send to storefront's NodePort (5 s ago) was 30 requests", "30 answered",
                "by 3 pods (storefront-a: 11, storefront-b: 10, storefront-c: 9)");
    }

    @Test
    void withoutTrafficItSaysWhatToSendFromThePanel() {
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("No requests to storefront's NodePort in the last 60 s",
                "send traffic from the traffic panel (Service storefront, from outside (NodePort))");
    }

    @Test
    void trafficOlderThanTheWindowDoesNotCount() {
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(run(61, "nodePort", "server", 30, 30, 0, THREE_PODS)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("No requests to storefront's NodePort in the last 60 s");
    }

    @Test
    void trafficThroughTheClusterIpIsNamedWhenTheNodePortWasAskedFor() {
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(run(5, "clusterIP", null, 30, 30, 0, THREE_PODS)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("(the panel sent 30 to storefront through its ClusterIP instead)");
    }

    @Test
    void twoPodsAnsweringWhereThreeAreExpectedIsWrongWithWhatWasSeen() {
        Map<String, Long> two = Map.of(MockCluster.NAMESPACE + "/storefront-a", 15L, MockCluster.NAMESPACE + "/storefront-b", 15L);
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(run(5, "nodePort", "server", 30, 30, 0, two)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("by 2 pods (storefront-a: 15, storefront-b: 15)", "expects 3 different pods",
                "Are 3 pods Ready behind storefront?");
    }

    @Test
    void fewerRequestsThanAskedForAreNotEnough() {
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(run(5, "nodePort", "server", 10, 10, 0, THREE_PODS)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("was 10 requests", "needs at least 30 in one send");
    }

    @Test
    void onlyTheLastSendCountsSoThatOneBeforeAFixDoesNotBlurTheOneAfter() {
        Map<String, Long> two = Map.of(MockCluster.NAMESPACE + "/storefront-a", 15L, MockCluster.NAMESPACE + "/storefront-b", 15L);
        List<TrafficRun> fixed = List.of(run(40, "nodePort", "server", 30, 30, 0, two), run(5, "nodePort", "server", 30, 30, 0, THREE_PODS));
        assertThat(FlowsCheck.grade(answeredByThree(), fixed, NOW).passed()).isTrue();
        List<TrafficRun> broken = List.of(run(40, "nodePort", "server", 30, 30, 0, THREE_PODS), run(5, "nodePort", "server", 30, 30, 0, two));
        assertThat(FlowsCheck.grade(answeredByThree(), broken, NOW).message()).contains("by 2 pods");
    }

    @Test
    void whileTheLastAnswersMayStillComeItIsNotYet() {
        TrafficRun counting = new TrafficRun(NOW - 1500, NOW - 500, STOREFRONT, "nodePort", "server", 30, 30, 0, Map.of(),
                Map.of(), true);
        Outcome outcome = FlowsCheck.grade(answeredByThree(), List.of(counting), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("still being counted");
    }

    @Test
    void requestsThroughTheAgentThatAllTimedOutAreUnanswered() {
        Outcome outcome = FlowsCheck.grade(droppedOnTheAgent(), List.of(run(5, "nodePort", "agent", 20, 0, 20, Map.of())), NOW);
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
        assertThat(outcome.message()).contains("storefront's NodePort on the agent node", "0 answered", "timed out",
                "saw none of them reach a pod");
    }

    @Test
    void requestsThroughTheServerNodeDoNotCountForTheAgent() {
        Outcome outcome = FlowsCheck.grade(droppedOnTheAgent(), List.of(run(5, "nodePort", "server", 20, 20, 0, THREE_PODS)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("No requests to storefront's NodePort on the agent node",
                "the panel sent 20 to storefront through the server node's NodePort instead",
                "from outside (NodePort) through the agent node");
    }

    @Test
    void answeredRequestsAreNotUnanswered() {
        Outcome outcome = FlowsCheck.grade(droppedOnTheAgent(), List.of(run(5, "nodePort", "agent", 20, 20, 0, THREE_PODS)), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("20 answered, by 3 pods", "expects them to go unanswered");
    }

    @Test
    void refusedRequestsAreNotDropped() {
        Outcome outcome = FlowsCheck.grade(droppedOnTheAgent(), List.of(run(5, "nodePort", "agent", 20, 0, 0, Map.of())), NOW);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("20 of them were refused at once, not dropped");
    }

    @Test
    void everyRequestAnsweredIsWhatUnansweredFalseAsksFor() {
        CheckSpec allAnswered = spec(CheckType.FLOWS, "service", "storefront", "unanswered", "false");
        assertThat(FlowsCheck.grade(allAnswered, List.of(run(5, "clusterIP", null, 30, 30, 0, THREE_PODS)), NOW).passed()).isTrue();
        Outcome some = FlowsCheck.grade(allAnswered, List.of(run(5, "clusterIP", null, 30, 20, 10, THREE_PODS)), NOW);
        assertThat(some.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(some.message()).contains("10 went unanswered (10 timed out: dropped)");
    }

    @Test
    void theCheckReadsTheRunsTheTrafficViewRecordedForTheLearnersSandbox() {
        Sandbox sandbox = new Sandbox("s", "learner", "lab", "", List.of(), Instant.now());
        TrafficService traffic = mock(TrafficService.class);
        long ended = System.currentTimeMillis() - 1000;
        when(traffic.runs(sandbox)).thenReturn(List.of(new TrafficRun(ended - 500, ended, STOREFRONT, "nodePort", "server",
                30, 30, 0, THREE_PODS, Map.of(), false)));
        Outcome outcome = new FlowsCheck(traffic).evaluate(answeredByThree(), new CheckContext(sandbox, null, ClusterStillness.UNKNOWN,
                (node, timeout, script) -> null));
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
    }
}
