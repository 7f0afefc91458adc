package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A running pod whose readiness probe has failed past its threshold will not become Ready by waiting. */
class ReadinessFailingTest {

    private static final Instant STARTED = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void aContainerNotReadyLongAfterItsProbesThresholdKeepsFailingIt() {
        // period 5 s, threshold 3, no delay: 15 s of failures at most before it counts as failing.
        assertThat(Objects.readinessFailing(pod(5, 3), running(false), STARTED.plusSeconds(16)))
                .contains("readiness probe has failed for 16 s");
    }

    @Test
    void aContainerWithinItsProbesThresholdMayStillBecomeReady() {
        assertThat(Objects.readinessFailing(pod(5, 3), running(false), STARTED.plusSeconds(14))).isNull();
    }

    @Test
    void kubernetesDefaultsApplyWhereTheProbeSaysNothing() {
        // 10 s period, 3 failures.
        assertThat(Objects.readinessFailing(pod(null, null), running(false), STARTED.plusSeconds(29))).isNull();
        assertThat(Objects.readinessFailing(pod(null, null), running(false), STARTED.plusSeconds(31))).isNotNull();
    }

    @Test
    void aReadyContainerOrOneWithoutAProbeIsNotFailingIt() {
        assertThat(Objects.readinessFailing(pod(5, 3), running(true), STARTED.plusSeconds(600))).isNull();
        Pod noProbe = new PodBuilder(pod(5, 3)).editSpec().editFirstContainer().withReadinessProbe(null).endContainer().endSpec().build();
        assertThat(Objects.readinessFailing(noProbe, running(false), STARTED.plusSeconds(600))).isNull();
    }

    private static Pod pod(Integer period, Integer failures) {
        return new PodBuilder().withNewMetadata().withName("cart-1").endMetadata().withNewSpec().addNewContainer().withName("cart")
                .withNewReadinessProbe().withPeriodSeconds(period).withFailureThreshold(failures).withNewHttpGet().withNewPort(8081)
                .endHttpGet().endReadinessProbe().endContainer().endSpec().build();
    }

    private static ContainerStatus running(boolean ready) {
        return new ContainerStatusBuilder().withName("cart").withReady(ready).withNewState().withNewRunning()
                .withStartedAt(STARTED.toString()).endRunning().endState().build();
    }
}
