package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import dev.servicelab.sandbox.PodExec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checks that ask a probe pod (http, noHttp, dns, loadBalancing): what they make of curl's and
 * dig's answers, with the probe's output scripted and the API on fabric8's CRUD mock.
 */
@EnableKubernetesMockClient(crud = true)
class ProbeChecksTest {

    KubernetesClient client;
    MockCluster cluster;
    final List<String> scripts = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    private CheckContext answering(int exitCode, String stdout, String stderr) {
        return cluster.probing(script -> {
            scripts.add(script);
            return new PodExec.Result(exitCode, stdout, stderr);
        });
    }

    @Test
    void httpPassesOnTheExpectedStatusAndBody() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://web/", "bodyContains", "pod: web-"),
                answering(0, "pod: web-7f9c\n" + HttpCheck.STATUS + "200", ""));
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
        assertThat(scripts.get(0)).contains("curl").contains("'http://web/'");
    }

    @Test
    void httpSaysWhatTheBodyWasWhenItLacksTheExpectedText() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://web/", "bodyContains", "server port: 9100"),
                answering(0, "server port: 9090\n" + HttpCheck.STATUS + "200", ""));
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("does not contain \"server port: 9100\"").contains("server port: 9090");
    }

    @Test
    void aRefusedConnectionPointsAtEndpointsAndPorts() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://web/"), answering(7, "", "Connection refused"));
        assertThat(outcome.message()).contains("the connection was refused").contains("check the endpoints, then port and targetPort");
    }

    @Test
    void aNameThatDoesNotResolveIsSaidInTheWordsTheEngineWaitsOnForDnsCaches() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://wbe/"), answering(6, "", ""));
        assertThat(outcome.message()).contains(Shell.UNRESOLVED);
    }

    @Test
    void anAnswerTooLongToReadIsWrongAtOnceSayingSo() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.HTTP, "url", "http://web/"),
                cluster.probing(script -> new PodExec.Result(0, "x", "", true)));
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("KiB");
    }

    @Test
    void aProbeThatCouldNotRunProvesNothingAndIsRetried() {
        Outcome outcome = new HttpCheck().evaluate(spec(CheckType.NO_HTTP, "url", "http://web/"), answering(-1, "", "probe pod gone"));
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).startsWith("The platform could not run");
    }

    @Test
    void noHttpPassesOnlyWhenNothingAnswers() {
        assertThat(new HttpCheck().evaluate(spec(CheckType.NO_HTTP, "url", "http://web/"), answering(28, "", "")).passed()).isTrue();
        assertThat(new HttpCheck().evaluate(spec(CheckType.NO_HTTP, "url", "http://web/"), answering(0, HttpCheck.STATUS + "200", ""))
                .passed()).isFalse();
    }

    @Test
    void dnsCountsAddressesAndExplainsAClusterIpWhereAHeadlessServiceWasMeant() {
        Outcome outcome = new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "web.default.svc.cluster.local", "record", "A",
                "count", 3), answering(0, "10.43.0.10\n", ""));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("(1 answer(s)), expected 3").contains("headless Service (clusterIP: None)");
    }

    @Test
    void dnsFollowsCnamesToTheAddresses() {
        Outcome outcome = new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "shop", "record", "A", "count", 1),
                answering(0, "catalog.default.svc.cluster.local.\n10.43.0.20\n", ""));
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
    }

    @Test
    void dnsComparesAHeadlessServicesAnswersWithTheReadyPodsIps() {
        cluster.pod("web-0", Map.of("app", "web"), true);
        cluster.pod("web-1", Map.of("app", "web"), false);
        String readyIp = client.pods().inNamespace("default").withName("web-0").get().getStatus().getPodIP();
        Outcome right = new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "web", "record", "A", "podIPsOf",
                Map.of("app", "web")), answering(0, readyIp + "\n", ""));
        Outcome stale = new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "web", "record", "A", "podIPsOf",
                Map.of("app", "web")), answering(0, "10.42.9.9\n", ""));
        assertThat(right.passed()).as(right.message()).isTrue();
        assertThat(stale.message()).contains("have IPs " + readyIp);
    }

    @Test
    void dnsExistsFalsePassesOnlyWhenTheNameHasNoRecord() {
        assertThat(new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "gone", "record", "A", "exists", false),
                answering(0, "", "")).passed()).isTrue();
        assertThat(new DnsCheck().evaluate(spec(CheckType.DNS, "lookup", "gone", "record", "A", "exists", false),
                answering(0, "10.43.0.5\n", "")).message()).contains("should not resolve");
    }

    @Test
    void loadBalancingCountsDistinctPodsAndSaysHowManyAnswered() {
        Outcome spread = new LoadBalancingCheck().evaluate(spec(CheckType.LOAD_BALANCING, "url", "http://web/", "requests", 6,
                "minDistinctPods", 2), answering(0, "web-a\nweb-b\nweb-a\nweb-b\nweb-a\nweb-b\n", ""));
        Outcome stuck = new LoadBalancingCheck().evaluate(spec(CheckType.LOAD_BALANCING, "url", "http://web/", "requests", 6,
                "minDistinctPods", 2), answering(0, "web-a\nweb-a\nweb-a\nweb-a\n", ""));
        assertThat(spread.passed()).as(spread.message()).isTrue();
        assertThat(stuck.passed()).isFalse();
        assertThat(stuck.message()).contains("reached 1 pod(s) (web-a 4), 2 got no answer; expected at least 2");
    }
}
