package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * exec before it runs anything: which pod it runs in, and how it quotes a command in its messages.
 * Running the command needs a real pod (the mock cannot exec); LabConformanceIT proves that part.
 */
@EnableKubernetesMockClient(crud = true)
class ExecCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void aTargetPodThatIsNotReadyYetIsWaitedForWhileAWorkloadWillMakeIt() {
        cluster.deployment("web", Map.of("app", "web"), 1);
        Outcome outcome = new ExecCheck().evaluate(spec(CheckType.EXEC, "target", Map.of("app", "web"), "command", "true"),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).startsWith("No Ready pod labelled app=web in default.");
    }

    @Test
    void aTargetNothingWillMakeIsWrong() {
        Outcome outcome = new ExecCheck().evaluate(spec(CheckType.EXEC, "target", Map.of("app", "web"), "command", "true"),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
    }

    @Test
    void aPodWhoseCommandFinishedWhileTheCheckRanInItIsJudgedAsAPodThatWillNotStayUp() {
        client.pods().resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("client")
                .withNamespace("default").withLabels(Map.of("run", "client")).endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage("servicelab/toolbox:1").withCommand("true").endContainer().endSpec().withNewStatus()
                .withPhase("Running").withContainerStatuses(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("c")
                        .withRestartCount(0).withNewState().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated()
                        .endState().build()).endStatus().build()).create();

        var outcome = ExecCheck.stoppedWhileRunning(cluster.context(), "default", "client", Map.of("run", "client"), "curl -s http://api/");

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.state()).isEqualTo(Outcome.State.WRONG);
            assertThat(o.message()).startsWith("Pod client stopped being Ready while `curl -s http://api/` ran in it")
                    .contains("Waiting will not help: client (Completed: its command finished");
        });
    }

    @Test
    void aCommandFailingInAPodThatIsStillReadyIsJudgedByWhatItPrinted() {
        cluster.pod("client", Map.of("run", "client"), true);

        assertThat(ExecCheck.stoppedWhileRunning(cluster.context(), "default", "client", Map.of("run", "client"), "false")).isEmpty();
    }

    @Test
    void aOneLineCommandIsQuotedWhole() {
        assertThat(ExecCheck.brief("curl -s localhost:8080/healthz")).isEqualTo("curl -s localhost:8080/healthz");
    }

    @Test
    void aScriptIsQuotedByItsFirstLine() {
        assertThat(ExecCheck.brief("set -e\ncurl -s localhost:8080\n")).isEqualTo("set -e …");
    }

    @Test
    void aLongLineIsCutAt80Characters() {
        assertThat(ExecCheck.brief("x".repeat(100))).isEqualTo("x".repeat(80) + " …");
    }

    @Test
    void outputInMessagesIsFlattenedAndCutAt160Characters() {
        assertThat(HttpCheck.abbreviate("  line one\nline two  ")).isEqualTo("line one line two");
        assertThat(HttpCheck.abbreviate("y".repeat(200))).isEqualTo("y".repeat(160) + "…");
    }
}
