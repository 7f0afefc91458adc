package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which of the flows a window counted belong to a send of the traffic panel, and for how long. */
class TrafficRunsTest {

    static final long GRACE = 2600;
    static final String WEB = "shop/web";

    final TrafficRuns runs = new TrafficRuns(GRACE);

    static FlowCount outside(String endpoint, String result, long n) {
        return new FlowCount("172.17.0.1", "outside", "nodePort", WEB, endpoint, result, n);
    }

    static TrafficSummary summary(String node, int sent, int answered, int timedOut) {
        return new TrafficSummary("web", "shop", "nodePort", node, "10.0.0.2:30080", sent, answered, sent - answered, timedOut,
                Map.of(), 100);
    }

    @Test
    void aSendsFlowsAreCountedByThePodThatAnsweredAndListedWithWhatItSent() {
        TrafficRuns.Run run = runs.begin(WEB, "nodePort", 1000);
        runs.attribute(List.of(outside("shop/web-a", "ok", 6), outside("shop/web-b", "ok", 4)), 1200);
        runs.end(run, summary("agent", 10, 10, 0), 1300);
        runs.attribute(List.of(outside("shop/web-a", "ok", 1), outside("-", "no-endpoint", 1)), 1500);

        TrafficRun listed = runs.list(1600).get(0);
        assertThat(listed.answeredBy()).containsExactlyInAnyOrderEntriesOf(Map.of("shop/web-a", 7L, "shop/web-b", 4L));
        assertThat(listed.failedFlows()).containsExactlyEntriesOf(Map.of("no-endpoint", 1L));
        assertThat(listed).extracting(TrafficRun::via, TrafficRun::node, TrafficRun::sent, TrafficRun::counting)
                .containsExactly("nodePort", "agent", 10, true);
    }

    @Test
    void flowsOfAnotherServiceAnotherWayInOrAnotherKindOfClientAreNotTheSends() {
        TrafficRuns.Run run = runs.begin(WEB, "nodePort", 1000);
        runs.attribute(List.of(new FlowCount("172.17.0.1", "outside", "nodePort", "shop/api", "shop/api-a", "ok", 3),
                new FlowCount("shop/client", "pod", "clusterIP", WEB, "shop/web-a", "ok", 3),
                new FlowCount("server node", "node", "nodePort", WEB, "shop/web-a", "ok", 3)), 1200);
        runs.end(run, summary("server", 3, 3, 0), 1300);
        assertThat(runs.list(1400).get(0).answeredBy()).isEmpty();
    }

    @Test
    void theClusterIpSendCountsTheFlowsOfPods() {
        TrafficRuns.Run run = runs.begin(WEB, "clientPod", 1000);
        runs.attribute(List.of(new FlowCount("servicelab-system/probe", "pod", "clusterIP", WEB, "shop/web-a", "ok", 2)), 1200);
        runs.end(run, summary(null, 2, 2, 0), 1300);
        assertThat(runs.list(1400).get(0)).extracting(TrafficRun::via, TrafficRun::answeredBy)
                .containsExactly("clusterIP", Map.of("shop/web-a", 2L));
    }

    @Test
    void afterTheGraceASendIsCountedNoMore() {
        TrafficRuns.Run run = runs.begin(WEB, "nodePort", 1000);
        runs.end(run, summary("server", 1, 1, 0), 2000);
        runs.attribute(List.of(outside("shop/web-a", "ok", 1)), 2000 + GRACE + 1);
        TrafficRun listed = runs.list(2000 + GRACE + 1).get(0);
        assertThat(listed.answeredBy()).isEmpty();
        assertThat(listed.counting()).isFalse();
    }

    @Test
    void theNewestOpenSendGetsTheCounts() {
        TrafficRuns.Run first = runs.begin(WEB, "nodePort", 1000);
        runs.end(first, summary("server", 1, 1, 0), 1100);
        TrafficRuns.Run second = runs.begin(WEB, "nodePort", 1200);
        runs.attribute(List.of(outside("shop/web-b", "ok", 1)), 1300);
        runs.end(second, summary("agent", 1, 1, 0), 1400);
        List<TrafficRun> listed = runs.list(1500);
        assertThat(listed.get(0).answeredBy()).isEmpty();
        assertThat(listed.get(1).answeredBy()).containsOnlyKeys("shop/web-b");
    }

    @Test
    void aRefusedSendIsForgottenAndOnlyTheLastHundredAreKept() {
        runs.abandon(runs.begin(WEB, "nodePort", 1000));
        assertThat(runs.list(1000)).isEmpty();
        for (int i = 0; i < TrafficRuns.KEPT + 5; i++) {
            runs.end(runs.begin(WEB, "nodePort", 2000 + i), summary("server", i + 1, i + 1, 0), 2000 + i);
        }
        List<TrafficRun> listed = runs.list(3000);
        assertThat(listed).hasSize(TrafficRuns.KEPT);
        assertThat(listed.get(0).sent()).isEqualTo(6);
    }

    @Test
    void sendsEndedLongAgoAreForgottenWhenTheNextBegins() {
        runs.end(runs.begin(WEB, "nodePort", 1000), summary("server", 1, 1, 0), 1000);
        runs.begin(WEB, "nodePort", 1000 + TrafficRuns.MAX_AGE_MILLIS + 1);
        assertThat(runs.list(1000 + TrafficRuns.MAX_AGE_MILLIS + 1)).hasSize(1);
    }
}
