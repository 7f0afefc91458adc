package dev.servicelab.sandbox;

import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Manifests;
import dev.servicelab.provisioner.Sandbox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.progress.ProgressService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.testcontainers.DockerClientFactory;

/**
 * A sandbox that dies mid-lab: the platform notices within seconds, the learner starts a fresh one,
 * and both their progress and their cluster's state (passed steps replayed) are there.
 */
class SandboxRecoveryIT extends SandboxPlatformTestBase {

    private static final String LAB = "why-services";

    @Autowired
    SandboxService sandboxes;
    @Autowired
    AccountRepository accountRepository;
    @Autowired
    LabCatalogService catalog;
    @Autowired
    LabSetup setup;
    @Autowired
    ProgressService progress;

    private SandboxView awaitState(Account account, String state, Duration timeout) {
        AtomicReference<SandboxView> view = new AtomicReference<>();
        await("sandbox state " + state).atMost(timeout).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            view.set(sandboxes.view(account, LAB));
            assertThat(view.get().state()).as("sandbox state, message: " + view.get().message()).isEqualTo(state);
        });
        return view.get();
    }

    @Test
    void aDeadSandboxIsNoticedAndAFreshOneContinuesWithProgressAndClusterStateIntact() throws Exception {
        String username = newLearner();
        Account account = accountRepository.findByUsername(username).orElseThrow();
        Lab lab = catalog.lab(LAB);
        LabStep first = lab.steps().get(0);
        progress.start(account, LAB);
        sandboxes.acquire(account, LAB);
        awaitState(account, "READY", Duration.ofMinutes(5));

        Sandbox sandbox = sandboxes.ready(account, LAB).sandbox();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            setup.applySolution(sandbox, client, lab, first.solution().manifests(), first.solution().commands(),
                    first.solution().actions());
        }
        progress.recordPassed(account, LAB, first.id());

        Instant killed = Instant.now();
        DockerClientFactory.instance().client().killContainerCmd(sandbox.server().containerId()).exec();
        SandboxView dead = awaitState(account, "DEAD", Duration.ofSeconds(15));
        System.out.printf("dead sandbox noticed by the platform after %d ms%n", Duration.between(killed, Instant.now()).toMillis());
        assertThat(dead.message()).contains("progress is kept");

        SandboxView fresh = sandboxes.acquire(account, LAB);
        assertThat(fresh.sandboxId()).isNotEqualTo(sandbox.id());
        awaitState(account, "READY", Duration.ofMinutes(5));

        assertThat(progress.progress(account, LAB).steps().get(0).status().name()).isEqualTo("PASSED");
        Sandbox replacement = sandboxes.ready(account, LAB).sandbox();
        try (KubernetesClient client = Kubeconfigs.client(replacement.kubeconfig())) {
            // The first step's solution was replayed into the new cluster: what it created exists again.
            var created = dev.servicelab.provisioner.Manifests.parse(client,
                    java.nio.file.Files.readString(lab.folder().resolve(first.solution().manifests().get(0))));
            assertThat(created).allSatisfy(object -> assertThat(client.resource(object).get())
                    .as(object.getKind() + " " + object.getMetadata().getName() + " in the fresh sandbox").isNotNull());
        }
        sandboxes.release(account, LAB);
    }
}
