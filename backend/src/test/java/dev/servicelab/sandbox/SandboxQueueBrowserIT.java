package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxManager;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.security.Account;
import dev.servicelab.browser.Browser;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * On a platform that runs one sandbox at most, with the real PostgreSQL holding the queue: a second
 * learner is queued (not refused) while the first works, their lab page (real Chromium) shows their
 * place, and they get their own ready cluster as soon as the first ends it, without doing anything.
 */
class SandboxQueueBrowserIT {

    private static final String LAB = "clusterip";
    private static final String SANDBOX = "/api/v1/labs/" + LAB + "/sandbox";

    static OwnPlatform platform;
    @RegisterExtension
    static final Browser browser = Browser.perClass();

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

    private static String phaseShown() {
        return browser.text("[data-testid=sandbox-phase]");
    }

    @Test
    void aLearnerWhoFindsTheServerFullWaitsInTheQueueAndGetsTheirClusterWhenASlotFrees() {
        ApiClient ada = platform.api(platform.learner());
        Account bobsAccount = platform.learner();
        ApiClient bob = platform.api(bobsAccount);
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

        browser.signIn(platform.baseUrl(), bobsAccount.username(), OwnPlatform.PASSWORD);
        browser.open(platform.baseUrl() + "/labs/" + LAB);
        browser.await(Duration.ofSeconds(20)).until(d -> phaseShown().startsWith("You are number 1"));
        assertThat(phaseShown()).matches("You are number 1 in the queue, about (a minute|\\d+ minutes)");
        browser.screenshot("queue-position");

        assertThat(ada.delete(SANDBOX).status()).isEqualTo(204);

        // Bob does nothing: his open page keeps his place and housekeeping starts his cluster.
        browser.await(Duration.ofMinutes(5)).pollingEvery(Duration.ofSeconds(1))
                .until(d -> "Ready".equals(phaseShown()));
        JsonNode ready = sandbox(bob);
        assertThat(ready.path("state").asString()).isEqualTo("READY");
        assertThat(ready.path("sandboxId").asString()).as("the queue entry became the sandbox").isEqualTo(bobsId);
        assertThat(ready.hasNonNull("queuePosition")).as("no longer queued").isFalse();
        assertThat(platform.bean(SandboxManager.class).connection(bobsId)).as("a real cluster").isPresent();
    }
}
