package dev.servicelab.provisioner.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {

    static EgressPolicy policy(List<String> allow, boolean nodeInternet) {
        return new EgressPolicy("10.42.0.0/16", "10.43.0.0/16", List.of("172.20.0.2", "172.20.0.3"),
                List.of("172.20.0.1"), allow, nodeInternet);
    }

    static List<String> lines(List<List<String>> rules) {
        return rules.stream().map(r -> String.join(" ", r)).toList();
    }

    @Test
    void podsReachTheirOwnClusterAndNothingElseByDefault() {
        List<String> rules = lines(policy(List.of(), false).rules(false));

        assertThat(rules).first().isEqualTo("-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN");
        assertThat(rules).contains("-d 10.42.0.0/16 -j RETURN", "-d 172.20.0.2/32 -j RETURN", "-d 172.20.0.3/32 -j RETURN");
        assertThat(rules).last().isEqualTo("-j REJECT --reject-with icmp-admin-prohibited");
        assertThat(rules).filteredOn(r -> r.endsWith("RETURN")).hasSize(4);
    }

    @Test
    void aServiceAddressThatKubeProxyDidNotTranslateIsRefusedBeforeAnythingIsAllowed() {
        List<String> rules = lines(policy(List.of("0.0.0.0/0"), false).rules(false));

        int refuse = rules.indexOf("-d 10.43.0.0/16 -p tcp -j REJECT --reject-with tcp-reset");
        assertThat(refuse).isPositive().isLessThan(rules.indexOf("-d 10.42.0.0/16 -j RETURN"))
                .isLessThan(rules.indexOf("-d 0.0.0.0/0 -j RETURN"));
    }

    @Test
    void kubeProxysOwnVerdictOnAServiceItKnowsComesBeforeTheRefusal() {
        List<String> rules = lines(policy(List.of(), false).rules(false));

        // A Local policy without a local endpoint is dropped by kube-proxy, not refused: the labs teach the difference.
        assertThat(rules.indexOf("-d 10.43.0.0/16 -j KUBE-SERVICES"))
                .isPositive().isLessThan(rules.indexOf("-d 10.43.0.0/16 -p tcp -j REJECT --reject-with tcp-reset"));
        assertThat(policy(List.of(), false).script())
                .contains("if iptables -w -n -L KUBE-SERVICES >/dev/null 2>&1; then iptables -w -A SERVICELAB-EGRESS "
                        + "-d 10.43.0.0/16 -j KUBE-SERVICES; fi");
    }

    @Test
    void theGatewayAndLinkLocalStayClosedWhateverTheAllowList() {
        List<String> rules = lines(policy(List.of("172.16.0.0/12", "0.0.0.0/0"), false).rules(false));

        int firstAllow = rules.indexOf("-d 172.16.0.0/12 -j RETURN");
        assertThat(rules.indexOf("-d 172.20.0.1/32 -p tcp -j REJECT --reject-with tcp-reset")).isBetween(0, firstAllow);
        assertThat(rules.indexOf("-d 169.254.0.0/16 -p tcp -j REJECT --reject-with tcp-reset")).isBetween(0, firstAllow);
    }

    @Test
    void theWholeInternetDoesNotOpenPrivateRangesButANamedPrivateRangeDoes() {
        List<String> rules = lines(policy(List.of("0.0.0.0/0", "10.20.0.0/16"), false).rules(false));

        int privateAllowed = rules.indexOf("-d 10.20.0.0/16 -j RETURN");
        int privateRefused = rules.indexOf("-d 10.0.0.0/8 -p tcp -j REJECT --reject-with tcp-reset");
        int internet = rules.indexOf("-d 0.0.0.0/0 -j RETURN");
        assertThat(privateAllowed).isPositive().isLessThan(privateRefused);
        assertThat(internet).isGreaterThan(rules.indexOf("-d 100.64.0.0/10 -j REJECT --reject-with icmp-admin-prohibited"));
    }

    @Test
    void nodesReachLoopbackAndTheInternetOnlyWhenTheOperatorSaysSo() {
        List<String> closed = lines(policy(List.of(), false).rules(true));
        List<String> open = lines(policy(List.of(), true).rules(true));

        assertThat(closed).contains("-o lo -j RETURN").last().isEqualTo("-j REJECT --reject-with icmp-admin-prohibited");
        assertThat(open).contains("-o lo -j RETURN", "-d 192.168.0.0/16 -p tcp -j REJECT --reject-with tcp-reset")
                .doesNotContain("-j REJECT --reject-with icmp-admin-prohibited");
    }

    @Test
    void theScriptHooksBothChainsFirstAndCanRunAgain() {
        String script = policy(List.of(), false).script();

        assertThat(script).contains("while iptables -w -D FORWARD -j SERVICELAB-EGRESS 2>/dev/null; do :; done\n"
                + "iptables -w -I FORWARD 1 -j SERVICELAB-EGRESS\n");
        assertThat(script).contains("iptables -w -I OUTPUT 1 -j SERVICELAB-NODE-EGRESS\n");
        assertThat(script).contains("iptables -w -F SERVICELAB-EGRESS\n");
    }

    @Test
    void aMalformedAllowEntryIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> policy(List.of("10.0.0.0/33"), false))
                .hasMessageContaining("servicelab.sandbox.egress-allow").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> policy(List.of("example.com"), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void privateRangesAreRecognisedByContainment() {
        assertThat(EgressPolicy.insidePrivateRange("10.20.0.0/16")).isTrue();
        assertThat(EgressPolicy.insidePrivateRange("172.31.255.0/24")).isTrue();
        assertThat(EgressPolicy.insidePrivateRange("172.32.0.0/16")).isFalse();
        assertThat(EgressPolicy.insidePrivateRange("8.8.8.8")).isFalse();
        assertThat(EgressPolicy.insidePrivateRange("0.0.0.0/0")).isFalse();
    }
}
