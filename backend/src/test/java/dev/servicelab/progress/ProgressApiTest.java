package dev.servicelab.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient;
import dev.servicelab.PlatformTestBase;
import dev.servicelab.security.AccountRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class ProgressApiTest extends PlatformTestBase {

    private static final String LAB = "clusterip";

    @Autowired
    ProgressService progress;
    @Autowired
    AccountRepository accountRepository;

    @Test
    void theCatalogListsTheShippedLabsInCourseOrder() {
        JsonNode labs = api(newLearner(), LEARNER_PASSWORD).get("/api/v1/labs").json();
        assertThat(labs.size()).isGreaterThanOrEqualTo(10);
        assertThat(labs.get(0).get("id").asString()).isEqualTo("why-services");
    }

    @Test
    void aLabNotStartedShowsEveryStepNotStarted() {
        JsonNode body = api(newLearner(), LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/progress").json();
        assertThat(body.hasNonNull("startedAt")).isFalse();
        body.get("steps").forEach(step -> assertThat(step.get("status").asString()).isEqualTo("NOT_STARTED"));
    }

    @Test
    void startingALabPutsTheLearnerOnItsFirstStep() {
        ApiClient learner = api(newLearner(), LEARNER_PASSWORD);
        ApiClient.Response response = learner.post("/api/v1/labs/" + LAB + "/enrolment", null);
        assertThat(response.status()).isEqualTo(201);
        JsonNode steps = response.json().get("steps");
        assertThat(steps.get(0).get("status").asString()).isEqualTo("IN_PROGRESS");
        assertThat(steps.get(1).get("status").asString()).isEqualTo("NOT_STARTED");
    }

    @Test
    void startingALabTwiceChangesNothing() {
        ApiClient learner = api(newLearner(), LEARNER_PASSWORD);
        String first = learner.post("/api/v1/labs/" + LAB + "/enrolment", null).json().get("startedAt").asString();
        String second = learner.post("/api/v1/labs/" + LAB + "/enrolment", null).json().get("startedAt").asString();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void hintsAreRevealedOneAtATimeAndCounted() {
        String username = newLearner();
        ApiClient learner = api(username, LEARNER_PASSWORD);
        JsonNode start = learner.post("/api/v1/labs/" + LAB + "/enrolment", null).json();
        String step = start.get("steps").get(0).get("stepId").asString();
        assertThat(learner.post("/api/v1/labs/" + LAB + "/steps/" + step + "/hints", null).json().get("hints").size()).isEqualTo(1);
        JsonNode second = learner.post("/api/v1/labs/" + LAB + "/steps/" + step + "/hints", null).json();
        assertThat(second.get("hints").size()).isBetween(1, 2);
        assertThat(learner.get("/api/v1/labs/" + LAB + "/progress").json().get("steps").get(0).get("hintsUsed").asInt()).isEqualTo(2);
    }

    @Test
    void aPassedStepMovesTheLearnerToTheNextAndTheLastCompletesTheLab() {
        String username = newLearner();
        var account = accountRepository.findByUsername(username).orElseThrow();
        ApiClient learner = api(username, LEARNER_PASSWORD);
        JsonNode steps = learner.post("/api/v1/labs/" + LAB + "/enrolment", null).json().get("steps");

        progress.recordPassed(account, LAB, steps.get(0).get("stepId").asString());
        JsonNode after = learner.get("/api/v1/labs/" + LAB + "/progress").json();
        assertThat(after.get("steps").get(0).get("status").asString()).isEqualTo("PASSED");
        assertThat(after.get("steps").get(1).get("status").asString()).isEqualTo("IN_PROGRESS");

        steps.forEach(step -> progress.recordPassed(account, LAB, step.get("stepId").asString()));
        assertThat(learner.get("/api/v1/labs/" + LAB + "/progress").json().get("completedAt").asString()).isNotBlank();
    }

    @Test
    void theOpenApiDescriptionDocumentsTheLabAndProgressEndpoints() {
        JsonNode openApi = anonymousApi().get("/v3/api-docs").json();
        assertThat(openApi.get("paths").has("/api/v1/labs/{labId}/progress")).isTrue();
        assertThat(openApi.get("paths").has("/api/v1/labs")).isTrue();
        assertThat(openApi.get("info").get("title").asString()).isEqualTo("ServiceLab API");
    }
}
