package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manager's side of hibernation on a real sandbox, with delays of seconds: a learner who is away
 * has their sandbox frozen, then saved and removed; coming back (acquire) wakes it each time with
 * their objects. HibernationIT shows in detail what a restore keeps.
 */
class HibernationLifecycleIT {

    static DockerSandboxProvisioner provisioner;
    static SandboxManager manager;
    static final InMemoryLedger ledger = new InMemoryLedger();
    static final InMemorySnapshots snapshots = new InMemorySnapshots();

    @BeforeAll
    static void start() {
        provisioner = TestSandboxes.provisioner();
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(0, 1, 4, 1, Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1)), Clock.systemUTC());
        manager.hibernation(new Hibernation(Duration.ofSeconds(5), Duration.ofSeconds(25), Duration.ZERO), snapshots);
        manager.start();
    }

    @AfterAll
    static void stop() {
        ledger.active().forEach(r -> provisioner.delete(r.sandboxId()));
        manager.close();
    }

    static SandboxRecord awaitState(String id, SandboxState state, Duration timeout) {
        // A start that failed will not become READY: say why at once instead of waiting out the timeout.
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast(() -> {
                    SandboxRecord now = ledger.find(id).orElseThrow();
                    assertThat(now.state()).as("sandbox %s failed: %s", id, now.message()).isNotEqualTo(SandboxState.FAILED);
                })
                .until(() -> ledger.find(id).orElseThrow().state() == state);
        return ledger.find(id).orElseThrow();
    }

    @Test
    void aLearnerAwayIsFrozenThenHibernatedAndComingBackWakesTheirClusterEachTime() {
        String first = manager.acquire("lin", "clusterip", 1).sandboxId();
        awaitState(first, SandboxState.READY, Duration.ofMinutes(5));
        try (KubernetesClient client = Kubeconfigs.client(manager.connection(first).orElseThrow().kubeconfig())) {
            client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("notes").endMetadata().addToData("todo", "finish step 3").build()).create();
        }
        manager.touch(first);

        awaitState(first, SandboxState.FROZEN, Duration.ofSeconds(20));
        assertThat(provisioner.list()).anySatisfy(s -> assertThat(s.frozen()).isTrue());
        Instant back = Instant.now();
        SandboxRecord thawed = manager.acquire("lin", "clusterip", 1);
        assertThat(thawed.sandboxId()).isEqualTo(first);
        assertThat(thawed.state()).isEqualTo(SandboxState.READY);
        try (KubernetesClient client = Kubeconfigs.client(manager.connection(first).orElseThrow().kubeconfig())) {
            // bench/hibernate.sh measures the resume time; a loaded CI host gets some slack here.
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> client.configMaps().inNamespace("default").withName("notes").get() != null);
        }
        System.out.printf("frozen sandbox answering %d ms after the learner came back%n",
                Duration.between(back, Instant.now()).toMillis());

        SandboxRecord hibernated = awaitState(first, SandboxState.HIBERNATED, Duration.ofSeconds(60));
        assertThat(hibernated.message()).contains("wakes your cluster");
        // The learner is told first; the removal follows in the same round.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> provisioner.list().stream().noneMatch(s -> s.sandboxId().equals(first)));
        assertThat(snapshots.latest("lin", "clusterip")).isPresent();

        back = Instant.now();
        SandboxRecord waking = manager.acquire("lin", "clusterip", 1);
        assertThat(waking.phase()).isEqualTo(SandboxPhase.WAKING);
        SandboxRecord restored = awaitState(waking.sandboxId(), SandboxState.READY, Duration.ofMinutes(5));
        System.out.printf("hibernated sandbox ready %d ms after the learner came back%n",
                Duration.between(back, Instant.now()).toMillis());
        assertThat(restored.message()).contains("Restored");
        try (KubernetesClient client = Kubeconfigs.client(manager.connection(restored.sandboxId()).orElseThrow().kubeconfig())) {
            assertThat(client.configMaps().inNamespace("default").withName("notes").get().getData())
                    .containsEntry("todo", "finish step 3");
        }
        manager.release(restored.sandboxId());
    }
}
