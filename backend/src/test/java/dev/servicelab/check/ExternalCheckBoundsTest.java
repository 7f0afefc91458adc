package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An external check reads at most 64 KiB of a NodePort's answer, however long the answer is. */
@EnableKubernetesMockClient(crud = true)
class ExternalCheckBoundsTest {

    static KubernetesClient client;

    @Test
    void anEndlessBodyIsAWrongAnswerThatNamesTheCap() throws Exception {
        try (EndlessHttpServer endless = new EndlessHttpServer()) {
            // The "node" is this machine; the Service's nodePort is where the endless server listens.
            client.services().resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                    .withNewSpec().withType("NodePort").withSelector(Map.of("app", "web")).addNewPort().withPort(80)
                    .withNodePort(endless.port()).endPort().endSpec().build()).create();
            // A Ready pod behind it: the API does not rule an answer out, so the request is made.
            new MockCluster(client).pod("web-1", Map.of("app", "web"), true);
            CheckContext context = new CheckContext(new Sandbox("s", "o", "l", "", List.of(new SandboxNode(SandboxNode.Role.SERVER,
                    "c", "n", "127.0.0.1", Map.of())), Instant.now()), client);
            CheckSpec spec = new CheckSpec(CheckType.EXTERNAL, "from outside", "default", 20, Optional.empty(),
                    Map.of("service", "web", "via", "nodePort"), "test");

            long started = System.nanoTime();
            Outcome outcome = new ExternalCheck().evaluate(spec, context);
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
            assertThat(outcome.message()).contains("larger than 64 KiB").contains("did not end");
            assertThat(millis).isLessThan(ExternalCheck.ANSWER_DEADLINE.toMillis());
        }
    }
}
