package dev.servicelab.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.account.Account;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a platform that runs one sandbox at most, with the real PostgreSQL holding the queue: a second
 * learner is queued (not refused) while the first works, and gets their own ready cluster as soon as
 * the first ends it, without asking again.
 */
class SandboxQueueIT {

    private static final String LAB = "clusterip";
    private static final String SANDBOX = "/api/v1/labs/" + LAB + "/sandbox";

    static OwnPlatform platform;

    @BeforeAll
    static void start() {
        platform = OwnPlatform.start("servicelab.sandbox.max-total=1", "servicelab.sandbox.health-interval=2s",
                "servicelab.sandbox.freeze-after=0s");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static JsonNode sandbox(ApiClient api) {
        return api.get(SANDBOX).json();
    }

    @Test
    void aLearnerWhoFindsTheServerFullWaitsInTheQueueAndGetsTheirClusterWhenASlotFrees() {
        ApiClient ada = platform.api(platform.learner());
        ApiClient bob = platform.api(platform.learner());
        assertThat(ada.post(SANDBOX, "").status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "READY".equals(sandbox(ada).path("state").asString()));
        assertThat(ada.post(SANDBOX + "/keep-alive", "").status()).as("ada is working").isEqualTo(200);

        var queued = bob.post(SANDBOX, "");
        assertThat(queued.status()).as("queued, not refused: " + queued.body()).isEqualTo(202);
        assertThat(queued.json().path("state").asString()).isEqualTo("QUEUED");
        JsonNode waiting = sandbox(bob);
        assertThat(waiting.path("state").asString()).isEqualTo("QUEUED");
        assertThat(waiting.path("queuePosition").asInt()).isEqualTo(1);
        assertThat(waiting.path("queueWaitSeconds").asLong()).isPositive();
        String bobsId = waiting.path("sandboxId").asString();

        assertThat(ada.delete(SANDBOX).status()).isEqualTo(204);

        // Bob only watches (as his lab page polls): housekeeping starts his cluster.
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "READY".equals(sandbox(bob).path("state").asString()));
        JsonNode ready = sandbox(bob);
        assertThat(ready.path("sandboxId").asString()).isEqualTo(bobsId);
        assertThat(ready.path("queuePosition").isNull() || ready.path("queuePosition").isMissingNode()).isTrue();
        assertThat(platform.bean(SandboxManager.class).connection(bobsId)).as("a real cluster").isPresent();
    }
}
