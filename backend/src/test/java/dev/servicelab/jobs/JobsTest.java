package dev.servicelab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** Periodic jobs survive what they throw, and health tells an operator which one stopped succeeding. */
class JobsTest {

    final Jobs jobs = new Jobs(Clock.systemUTC(), 1);

    @AfterEach
    void close() {
        jobs.shutdown();
    }

    @Test
    void aJobThatThrowsRunsAgainOnItsNextTick() {
        AtomicInteger runs = new AtomicInteger();
        jobs.every("flaky", Duration.ofMillis(20), () -> {
            if (runs.incrementAndGet() <= 3) {
                throw new IllegalStateException("database down");
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 5);
        Jobs.Job job = jobs.all().get(0);
        assertThat(job.lastSuccess()).isNotNull();
        assertThat(job.failuresInARow()).isZero();
        assertThat(job.lastError()).contains("database down");
    }

    @Test
    void healthIsDownWhileAJobHasNotSucceededForSeveralPeriods() {
        jobs.every("always-failing", Duration.ofSeconds(30), () -> {
            throw new IllegalStateException("no route to database");
        });
        var later = Clock.fixed(Instant.now().plus(Duration.ofMinutes(3)), ZoneOffset.UTC);
        assertThat(new JobsHealthIndicator(jobs, Clock.systemUTC()).health().getStatus()).isEqualTo(Status.UP);
        assertThat(new JobsHealthIndicator(jobs, later).health().getStatus()).isEqualTo(Status.DOWN);
    }
}
