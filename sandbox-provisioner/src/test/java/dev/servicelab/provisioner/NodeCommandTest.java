package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Both provisioners start their nodes with these command lines. */
class NodeCommandTest {

    @Test
    void aServerNamesEveryAddressThePlatformReachesItByInItsCertificate() {
        assertThat(NodeCommand.server(List.of("10.0.0.5", "sb-1.sandboxes.svc"), 0, List.of()))
                .contains("--tls-san=10.0.0.5", "--tls-san=sb-1.sandboxes.svc");
    }

    @Test
    void everyPodGetsAQuarterOfTheNodesProcessesSoAForkBombStopsAtItsOwnPod() {
        assertThat(NodeCommand.server(List.of(), 2048, List.of())).contains("--kubelet-arg=pod-max-pids=512");
        assertThat(NodeCommand.agent(2048)).contains("--kubelet-arg=pod-max-pids=512");
        assertThat(NodeCommand.agent(0)).noneMatch(arg -> arg.contains("pod-max-pids"));
    }

    @Test
    void theOperatorsExtraArgumentsComeLastSoThatTheyWin() {
        List<String> args = NodeCommand.server(List.of("h"), 2048, List.of("--cluster-cidr=10.142.0.0/16"));
        assertThat(args.get(0)).isEqualTo("server");
        assertThat(args.get(args.size() - 1)).isEqualTo("--cluster-cidr=10.142.0.0/16");
        assertThat(args).contains("--disable=traefik", "--disable=servicelb", "--disable-network-policy");
    }

    @Test
    void onlyASandboxWithTheNetworkPolicyAddonRunsAPolicyController() {
        assertThat(NodeCommand.server(List.of("h"), 0, List.of(), Set.of())).contains("--disable-network-policy");
        assertThat(NodeCommand.server(List.of("h"), 0, List.of(), Set.of(SandboxRequest.NETWORK_POLICY)))
                .doesNotContain("--disable-network-policy");
    }

    @Test
    void everySandboxHasItsOwnJoinToken() {
        assertThat(NodeCommand.joinToken()).hasSize(32).isNotEqualTo(NodeCommand.joinToken());
    }
}
