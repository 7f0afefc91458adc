package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.account.AccountService;
import dev.servicelab.browser.Browser;
import dev.servicelab.security.Account;
import dev.servicelab.security.Role;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;

/**
 * On a platform that runs one sandbox at most (a real one, real PostgreSQL, real Chromium): the
 * instructor's dashboard shows, live and in words, one learner's cluster starting then ready and the
 * other learner waiting in the queue with their place and estimate; the cohort API says the same.
 */
class DashboardSandboxStatesBrowserIT {

    private static final String LAB = "clusterip";
    private static final String SANDBOX = "/api/v1/labs/" + LAB + "/sandbox";

    static OwnPlatform platform;
    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @BeforeAll
    static void start() {
        // The queued learner has no lab page open to keep their place: they keep it for the test's length.
        platform = OwnPlatform.start("servicelab.sandbox.max-total=1", "servicelab.sandbox.health-interval=2s",
                "servicelab.sandbox.queue-leave-after=10m");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static String shown(String username) {
        return browser.text("td[data-sandbox-status='" + username + "'] .words");
    }

    private static String stateShown(String username) {
        return browser.driver().findElement(By.cssSelector("td[data-sandbox-status='" + username + "']")).getAttribute("data-state");
    }

    @Test
    void theDashboardShowsAReadyAndAQueuedLearnerInWordsWithoutAReload() {
        String teacher = "teacher-" + UUID.randomUUID().toString().substring(0, 8);
        platform.bean(AccountService.class).create(teacher, "Instructor", OwnPlatform.PASSWORD, Role.INSTRUCTOR);
        ApiClient instructor = new ApiClient(platform.baseUrl(), teacher, OwnPlatform.PASSWORD);
        JsonNode cohort = instructor.post("/api/v1/cohorts", "{\"name\":\"Full house\",\"labs\":[{\"labId\":\"" + LAB + "\"}]}")
                .json();
        long cohortId = cohort.get("id").asLong();
        Account ada = platform.learner();
        Account bob = platform.learner();
        for (Account learner : List.of(ada, bob)) {
            assertThat(platform.api(learner).post("/api/v1/cohorts/join",
                    "{\"code\":\"" + cohort.get("joinCode").asString() + "\"}").status()).isEqualTo(200);
        }

        browser.signIn(platform.baseUrl(), teacher, OwnPlatform.PASSWORD);
        browser.open(platform.baseUrl() + "/instructor/cohorts/" + cohortId);
        browser.waitFor(By.cssSelector("[data-dashboard][data-live=connected]"));
        browser.driver().executeScript("window.sameDocument = true;");
        assertThat(shown(ada.username())).isEqualTo("no sandbox yet");

        ApiClient adaApi = platform.api(ada);
        assertThat(adaApi.post(SANDBOX, "").status()).isEqualTo(202);
        browser.await(Duration.ofSeconds(20)).until(d -> shown(ada.username()).startsWith("starting"));
        browser.await(Duration.ofMinutes(5)).pollingEvery(Duration.ofSeconds(1)).until(d -> "ready".equals(shown(ada.username())));
        assertThat(stateShown(ada.username())).isEqualTo("READY");

        assertThat(adaApi.post(SANDBOX + "/keep-alive", "").status()).as("ada is working").isEqualTo(200);
        var queued = platform.api(bob).post(SANDBOX, "");
        assertThat(queued.json().path("state").asString()).as(queued.body()).isEqualTo("QUEUED");
        browser.await(Duration.ofSeconds(20)).until(d -> shown(bob.username()).startsWith("waiting"));
        assertThat(shown(bob.username())).matches("waiting, number 1 in the queue, ~\\d+ min");
        assertThat(stateShown(bob.username())).isEqualTo("QUEUED");
        assertThat(shown(ada.username())).as("ada is not moved").isEqualTo("ready");
        assertThat(browser.driver().executeScript("return window.sameDocument === true;")).as("no reload").isEqualTo(true);
        browser.screenshot("dashboard-sandbox-states");

        JsonNode bobs = instructor.get("/api/v1/cohorts/" + cohortId + "/learners/" + bob.username() + "/sandboxes").json().get(0);
        assertThat(bobs.path("state").asString()).isEqualTo("QUEUED");
        assertThat(bobs.path("queuePosition").asInt()).isEqualTo(1);
        assertThat(bobs.path("queueWaitSeconds").asLong()).isPositive();
        assertThat(bobs.path("status").asString()).isEqualTo(shown(bob.username()));
        JsonNode adas = instructor.get("/api/v1/cohorts/" + cohortId + "/learners/" + ada.username() + "/sandboxes").json().get(0);
        assertThat(adas.path("status").asString()).isEqualTo("ready");
        assertThat(adas.hasNonNull("queuePosition")).isFalse();
        JsonNode everyone = instructor.get("/api/v1/cohorts/" + cohortId + "/sandboxes").json();
        assertThat(everyone.findValuesAsString("status")).containsExactlyInAnyOrder("ready", shown(bob.username()));
    }
}
