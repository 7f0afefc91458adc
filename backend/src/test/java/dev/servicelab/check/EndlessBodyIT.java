package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRequest;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * On a real sandbox, a learner's pod that answers every request with an endless body (a shell loop
 * of yes behind nc): checks through its NodePort and from inside the cluster end within their time
 * with a message that names the cap, and the platform's heap stays flat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndlessBodyIT extends SandboxPlatformTestBase {

    private static final String NS = "default";
    private static final int TIMEOUT_SECONDS = 20;

    @Autowired
    SandboxProvisioner provisioner;
    @Autowired
    CheckEngine engine;

    String id;
    Sandbox sandbox;
    KubernetesClient client;

    @BeforeAll
    void sandboxWithAnEndlessServer() {
        id = "endless-" + UUID.randomUUID().toString().substring(0, 8);
        sandbox = provisioner.create(new SandboxRequest(id, "endless", "nodeport", 1), (s, p) -> { });
        client = Kubeconfigs.client(sandbox.kubeconfig());
        // nc serves one connection, and does not notice when the client hangs up (it waits for the
        // end of an endless stdin): a fresh one every few seconds.
        String serve = "while true; do { printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n'; yes; } "
                + "| timeout -s KILL 3 nc -l 8080; done";
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("endless").addToLabels("app", "endless")
                .endMetadata().withNewSpec().addNewContainer().withName("serve").withImage("servicelab/toolbox:1")
                .withImagePullPolicy("IfNotPresent").withCommand("sh", "-c", serve).addNewPort().withContainerPort(8080).endPort()
                .endContainer().endSpec().build()).create();
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("endless").endMetadata()
                .withNewSpec().withType("NodePort").addToSelector("app", "endless").addNewPort().withPort(80).withNewTargetPort(8080)
                .withNodePort(30099).endPort().endSpec().build()).create();
        client.pods().inNamespace(NS).withName("endless").waitUntilReady(2, TimeUnit.MINUTES);
    }

    /**
     * The step's report once a connection was served: nc serves one at a time and is refused while it
     * waits to be killed, which a still cluster makes a final "refused" (the engine's rule, not what this
     * test is about), so a refused run is asked again.
     */
    private StepReport served(LabStep step, CheckContext context) {
        java.util.concurrent.atomic.AtomicReference<StepReport> last = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollDelay(java.time.Duration.ZERO)
                .pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                    last.set(engine.run("nodeport", step, context));
                    return !last.get().results().get(0).message().contains("refused");
                });
        return last.get();
    }

    @AfterAll
    void cleanUp() {
        if (client != null) {
            client.close();
        }
        if (id != null) {
            provisioner.delete(id);
        }
    }

    @Test
    void checksOfAnEndlessBodyEndWithinTheirTimeNamingTheCapAndTheHeapStaysFlat() {
        // One check per step: each may wait (converging) for the server's next nc, then gets the endless body.
        LabStep outside = step(check(CheckType.EXTERNAL, "From outside through the NodePort",
                Map.of("service", "endless", "via", "nodePort")));
        LabStep inside = step(check(CheckType.HTTP, "From inside the cluster", Map.of("url", "http://endless.default.svc.cluster.local/")));
        CheckContext context = new CheckContext(sandbox, client);
        // Warm up kube-proxy's rules, the probe pod and the JIT.
        System.out.println("endless body, warm-up: " + engine.run("nodeport", outside, context) + engine.run("nodeport", inside, context));

        long before = usedHeapAfterGc();
        for (int i = 0; i < 5; i++) {
            StepReport fromOutside = served(outside, context);
            StepReport fromInside = served(inside, context);
            System.out.printf("endless body, round %d: outside %d ms, inside %d ms%n", i, fromOutside.millis(), fromInside.millis());

            assertThat(fromOutside.millis()).as(fromOutside.toString()).isLessThan(TIMEOUT_SECONDS * 1000L);
            assertThat(fromOutside.results().get(0).state()).as(fromOutside.toString()).isEqualTo(CheckResult.WRONG);
            assertThat(fromOutside.results().get(0).message()).contains("larger than 64 KiB").contains("did not end");
            assertThat(fromInside.millis()).as(fromInside.toString()).isLessThan(TIMEOUT_SECONDS * 1000L);
            assertThat(fromInside.results().get(0).state()).as(fromInside.toString()).isEqualTo(CheckResult.WRONG);
            assertThat(fromInside.results().get(0).message()).contains("more than 64 KiB");
        }
        long growth = usedHeapAfterGc() - before;
        System.out.printf("endless body: heap growth over 5 rounds %d KiB%n", growth / 1024);
        assertThat(growth).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
    }

    private static LabStep step(CheckSpec check) {
        return new LabStep("endless", "Endless", "", List.of(), List.of(check), List.of(),
                new LabStep.Solution(List.of(), List.of(), List.of()), List.of());
    }

    private static CheckSpec check(CheckType type, String title, Map<String, Object> params) {
        return new CheckSpec(type, title, NS, TIMEOUT_SECONDS, Optional.empty(), params, "test");
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
