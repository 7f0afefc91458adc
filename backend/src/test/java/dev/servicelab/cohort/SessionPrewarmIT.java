package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.account.AccountService;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import dev.servicelab.sandbox.JdbcSandboxLedger;
import dev.servicelab.security.Account;
import dev.servicelab.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Real sandboxes, real PostgreSQL: a cohort of two learners with a session starting in a minute gets
 * two warm sandboxes started at once, before the start, on a platform whose warm pool is normally
 * empty; a learner who opens the lab is handed one and has a ready cluster within seconds; after the
 * session's window the pool is back to its normal size.
 */
class SessionPrewarmIT {

    private static final String LAB = "clusterip";
    /** Longer than the minute to the start, so that slow starts on a loaded host still fall in the window. */
    private static final Duration LEAD = Duration.ofMinutes(2);

    static OwnPlatform platform;

    @BeforeAll
    static void start() {
        platform = OwnPlatform.start("servicelab.sandbox.warm-pool=0", "servicelab.sandbox.max-total=4",
                "servicelab.sandbox.health-interval=2s", "servicelab.cohorts.sessions.prewarm-lead=" + LEAD.toSeconds() + "s",
                "servicelab.cohorts.sessions.prewarm-interval=2s");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static List<SandboxRecord> pooled() {
        return platform.bean(JdbcSandboxLedger.class).active().stream().filter(SandboxRecord::pooled).toList();
    }

    private static long pooledReady() {
        return pooled().stream().filter(r -> r.state() == SandboxState.READY).count();
    }

    @Test
    void aSessionsLearnersFindWarmSandboxesWaitingAndThePoolShrinksBackAfterIt() {
        String teacher = "teacher-" + UUID.randomUUID().toString().substring(0, 8);
        platform.bean(AccountService.class).create(teacher, "Instructor", OwnPlatform.PASSWORD, Role.INSTRUCTOR);
        ApiClient instructor = new ApiClient(platform.baseUrl(), teacher, OwnPlatform.PASSWORD);
        var cohort = instructor.post("/api/v1/cohorts", "{\"name\":\"Morning class\",\"labs\":[{\"labId\":\"" + LAB + "\"}]}");
        assertThat(cohort.status()).as(cohort.body()).isEqualTo(201);
        long cohortId = cohort.json().get("id").asLong();
        Account ada = platform.learner();
        Account bob = platform.learner();
        for (Account learner : List.of(ada, bob)) {
            var joined = platform.api(learner).post("/api/v1/cohorts/join",
                    "{\"code\":\"" + cohort.json().get("joinCode").asString() + "\"}");
            assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        }
        assertThat(pooled()).as("the normal pool is empty").isEmpty();

        Instant startsAt = Instant.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
        var session = instructor.post("/api/v1/cohorts/" + cohortId + "/sessions",
                "{\"labId\":\"" + LAB + "\",\"startsAt\":\"" + startsAt + "\"}");
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        Instant scheduled = Instant.now();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> pooled().size() == 2);
        assertThat(Instant.now()).as("started before the session").isBefore(startsAt);
        // Two starts at once take 20-30 s on a quiet host, minutes on a loaded one: wait within the window.
        Instant windowEnds = startsAt.plus(LEAD);
        await().atMost(Duration.between(Instant.now(), windowEnds)).pollInterval(Duration.ofSeconds(1))
                .until(() -> pooledReady() == 2);
        Instant ready = Instant.now();
        System.out.printf("Pre-warm: 2 sandboxes ready %d s after scheduling, %d s %s the start%n",
                Duration.between(scheduled, ready).toSeconds(), Math.abs(Duration.between(ready, startsAt).toSeconds()),
                ready.isBefore(startsAt) ? "before" : "after");
        assertThat(pooled()).as("one per learner, no more").hasSize(2);

        ApiClient adaApi = platform.api(ada);
        Instant asked = Instant.now();
        var acquired = adaApi.post("/api/v1/labs/" + LAB + "/sandbox", "");
        assertThat(acquired.status()).as(acquired.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> "READY".equals(adaApi.get("/api/v1/labs/" + LAB + "/sandbox").json().path("state").asString()));
        Duration toReady = Duration.between(asked, Instant.now());
        System.out.printf("Pre-warm: a learner opening the lab had a READY cluster after %d ms%n", toReady.toMillis());
        assertThat(toReady).as("handed over from the pool, only the lab setup to run").isLessThan(Duration.ofSeconds(20));
        assertThat(pooled()).as("bob's is still waiting for him").hasSize(1);

        // The window's end without waiting for it: the session is moved to as long ago as the window lasts.
        platform.bean(JdbcClient.class).sql("update cohort_session set starts_at = ? where cohort_id = ?")
                .params(java.sql.Timestamp.from(Instant.now().minus(LEAD).minusSeconds(1)), cohortId).update();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> pooled().isEmpty());
        assertThat(adaApi.get("/api/v1/labs/" + LAB + "/sandbox").json().path("state").asString())
                .as("ada keeps hers").isEqualTo("READY");
    }
}
