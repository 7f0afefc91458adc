package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.servicelab.kubeproxy.KubeProxyRulesService;
import dev.servicelab.kubeproxy.KubeProxyRulesTest;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxProvisioner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** kubeProxyRules against a node whose rules are those of {@link KubeProxyRulesTest#NODE}. */
@EnableKubernetesMockClient(crud = true)
class KubeProxyRulesCheckTest {

    static KubernetesClient client;

    MockCluster cluster;
    KubeProxyRulesCheck check;

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client).clean();
        cluster.service("storefront", Map.of("app", "storefront"), 80, 8080);
        SandboxProvisioner provisioner = mock(SandboxProvisioner.class);
        when(provisioner.natTable(any())).thenReturn(KubeProxyRulesTest.NODE);
        check = new KubeProxyRulesCheck(new KubeProxyRulesService(null,
                new StaticListableBeanFactory(Map.of("provisioner", provisioner)).getBeanProvider(SandboxProvisioner.class)));
    }

    private Outcome withFindings(Map<String, String> data) {
        if (data != null) {
            client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("findings")
                    .withNamespace("default").endMetadata().withData(data).build()).create();
        }
        return check.evaluate(spec(CheckType.KUBE_PROXY_RULES, "service", "storefront"), cluster.context());
    }

    @Test
    void findingsThatMatchTheNodesRulesPass() {
        Outcome outcome = withFindings(Map.of("chain", "KUBE-SVC-XJ4VMBSJ3TYBDL5T", "probability", "0.3333"));
        assertThat(outcome.passed()).as(outcome.message()).isTrue();
        assertThat(outcome.message()).contains("KUBE-SVC-XJ4VMBSJ3TYBDL5T", "0.333", "3 endpoint rules");
    }

    @Test
    void withoutFindingsItSaysHowToRecordThem() {
        Outcome outcome = withFindings(null);
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("no ConfigMap findings", "kubectl create configmap findings");
    }

    @Test
    void anotherServicesChainIsNamedAsSuchWithoutGivingTheAnswerAway() {
        Outcome outcome = withFindings(Map.of("chain", "KUBE-SVC-NPX46M4PTMTKRN6Y", "probability", "0.3333"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("belongs to \"default/kubernetes:https cluster IP\"")
                .doesNotContain("XJ4VMBSJ3TYBDL5T");
    }

    @Test
    void aProbabilityFromAnotherEndpointCountIsRefusedWithoutGivingTheAnswerAway() {
        Outcome outcome = withFindings(Map.of("chain", "KUBE-SVC-XJ4VMBSJ3TYBDL5T", "probability", "0.5"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("probability 0.5", "says otherwise").doesNotContain("0.333");
    }

    @Test
    void aProbabilityThatIsNotANumberIsWrongAtOnce() {
        Outcome outcome = withFindings(Map.of("chain", "KUBE-SVC-XJ4VMBSJ3TYBDL5T", "probability", "one third"));
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("not a number");
    }
}
