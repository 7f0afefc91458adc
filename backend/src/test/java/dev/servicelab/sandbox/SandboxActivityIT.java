package dev.servicelab.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.RequiresDocker;
import dev.servicelab.security.Account;
import dev.servicelab.browser.Browser;
import dev.servicelab.terminal.TerminalClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * On real sandboxes of a platform whose idle timeout is 45 s: working in the cluster (typing in
 * the terminal, running checks) keeps it past the timeout, an untouched cluster is still removed,
 * and the lab page warns before that with one click to keep it.
 */
@RequiresDocker
class SandboxActivityIT {

    private static final String LAB = "clusterip";
    private static final Duration IDLE = Duration.ofSeconds(45);

    static OwnPlatform platform;

    @BeforeAll
    static void start() {
        platform = OwnPlatform.start("servicelab.sandbox.idle-timeout=" + IDLE.toSeconds() + "s",
                "servicelab.sandbox.activity-write-interval=2s", "servicelab.sandbox.health-interval=2s");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static String state(ApiClient api) {
        return api.get("/api/v1/labs/" + LAB + "/sandbox").json().path("state").asString();
    }

    private static ApiClient started(Account learner) {
        ApiClient api = platform.api(learner);
        assertThat(api.post("/api/v1/labs/" + LAB + "/enrolment", "").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/labs/" + LAB + "/sandbox", "").status()).isEqualTo(202);
        return api;
    }

    private static void awaitReady(ApiClient api) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> "READY".equals(state(api)));
    }

    /** Lets time pass (the platform's clocks are real ones). */
    private static void pass(Duration time) {
        await().pollDelay(time).atMost(time.plusSeconds(5)).until(() -> true);
    }

    @Test
    void typingAndCheckingKeepAClusterPastTheIdleTimeoutWhileAnUntouchedOneIsRemoved() throws Exception {
        Account worker = platform.learner();
        Account idler = platform.learner();
        ApiClient workerApi = started(worker);
        ApiClient idlerApi = started(idler);
        awaitReady(workerApi);
        awaitReady(idlerApi);

        TerminalClient terminal = TerminalClient.open(platform.port(), worker.username(), OwnPlatform.PASSWORD, LAB, 1, -1);
        assertThat(terminal.awaitStarted(Duration.ofSeconds(60))).as("the shell starts: %s", terminal.describe()).isTrue();
        String firstStep = workerApi.get("/api/v1/labs/" + LAB + "/progress").json().path("steps").get(0).path("stepId").asString();
        Instant workedUntil = Instant.now().plus(IDLE.multipliedBy(2));
        for (int i = 0; Instant.now().isBefore(workedUntil); i++) {
            if (i % 2 == 0) {
                terminal.type("echo still-working-" + i + "\r");
                assertThat(terminal.await("still-working-" + i, Duration.ofSeconds(20))).as("the shell echoes command %d: %s", i, terminal.describe()).isTrue();
            } else {
                workerApi.post("/api/v1/labs/" + LAB + "/steps/" + firstStep + "/checks", "");
            }
            pass(Duration.ofSeconds(10));
        }
        terminal.close();

        assertThat(state(workerApi)).as("a learner who types and checks keeps the cluster").isEqualTo("READY");
        await().atMost(Duration.ofSeconds(20)).until(() -> "EXPIRED".equals(state(idlerApi)));
        assertThat(idlerApi.get("/api/v1/labs/" + LAB + "/sandbox").json().path("message").asString())
                .contains("without activity");
    }

    @Test
    void thePageWarnsBeforeTheIdleTimeoutAndOneClickKeepsTheCluster() {
        Account learner = platform.learner();
        ApiClient api = started(learner);
        try (Browser browser = Browser.launch()) {
            browser.signIn(platform.baseUrl(), learner.username(), OwnPlatform.PASSWORD);
            browser.open(platform.baseUrl() + "/labs/" + LAB);
            browser.await(Duration.ofMinutes(5)).until(d ->
                    "Ready".equals(browser.text("[data-testid=sandbox-phase]")));

            browser.await(IDLE.plusSeconds(30)).until(d ->
                    !browser.text("[data-testid=sandbox-warning]").isEmpty());
            assertThat(browser.text("[data-testid=sandbox-warning]")).contains("will be removed");
            browser.screenshot("sandbox-idle-warning");
            Instant deadlineBefore = Instant.parse(api.get("/api/v1/labs/" + LAB + "/sandbox").json()
                    .path("idleExpiresAt").asString());

            browser.driver().findElement(By.cssSelector("[data-testid=sandbox-keep]")).click();
            browser.await(Duration.ofSeconds(10)).until(d ->
                    browser.text("[data-testid=sandbox-warning]").isEmpty());
            Instant deadlineAfter = Instant.parse(api.get("/api/v1/labs/" + LAB + "/sandbox").json()
                    .path("idleExpiresAt").asString());
            assertThat(deadlineAfter).isAfter(deadlineBefore);

            pass(Duration.between(Instant.now(), deadlineBefore).plusSeconds(5));
            assertThat(state(api)).as("kept past the deadline it was warned about").isEqualTo("READY");
        }
    }
}
