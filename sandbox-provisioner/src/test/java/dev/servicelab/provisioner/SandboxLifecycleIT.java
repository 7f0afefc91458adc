package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** A sandbox whose node is killed mid-session is noticed within seconds, and a fresh one replaces it. */
class SandboxLifecycleIT {

    static DockerSandboxProvisioner provisioner;
    static SandboxManager manager;
    static InMemoryLedger ledger = new InMemoryLedger();

    @BeforeAll
    static void start() {
        provisioner = TestSandboxes.provisioner();
        manager = new SandboxManager(provisioner, ledger, new SandboxLimits(0, 1, 4, 1, Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(2)), Clock.systemUTC());
        manager.start();
    }

    @AfterAll
    static void stop() {
        ledger.active().forEach(r -> provisioner.delete(r.sandboxId()));
        manager.close();
    }

    static SandboxRecord awaitState(String id, SandboxState state, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            SandboxRecord record = ledger.find(id).orElseThrow();
            if (record.state() == state) {
                return record;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("sandbox " + id + " is " + ledger.find(id).orElseThrow() + ", not " + state);
    }

    static void awaitRemoved(String id, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (provisioner.list().stream().anyMatch(s -> s.sandboxId().equals(id))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the dead sandbox " + id + " was not removed within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aKilledNodeIsNoticedWithinSecondsAndTheLearnerGetsAFreshSandbox() throws Exception {
        String first = manager.acquire("grace", "nodeport", 1).sandboxId();
        awaitState(first, SandboxState.READY, Duration.ofMinutes(5));
        assertThat(manager.connection(first)).isPresent();

        String container = manager.connection(first).orElseThrow().server().containerId();
        Instant killed = Instant.now();
        DockerClientFactory.instance().client().killContainerCmd(container).exec();

        SandboxRecord dead = awaitState(first, SandboxState.DEAD, Duration.ofSeconds(15));
        System.out.printf("sandbox death noticed after %d ms%n", Duration.between(killed, Instant.now()).toMillis());
        assertThat(dead.message()).contains("progress is kept");
        // The learner is told first; removing the dead node's container follows in the same round.
        awaitRemoved(first, Duration.ofSeconds(30));

        String second = manager.acquire("grace", "nodeport", 1).sandboxId();
        assertThat(second).isNotEqualTo(first);
        awaitState(second, SandboxState.READY, Duration.ofMinutes(5));
    }
}
