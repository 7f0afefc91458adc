package dev.servicelab.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient.Response;
import dev.servicelab.PlatformTestBase;
import org.junit.jupiter.api.Test;

/** Every API error is an RFC 9457 problem detail that says what went wrong and what to do next. */
class ProblemDetailsTest extends PlatformTestBase {

    private static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        if (type != null) {
            assertThat(response.json().get("type").asString()).isEqualTo(type);
        }
        assertThat(response.json().get("title").asString()).isNotBlank();
    }

    @Test
    void anUnknownLabIsA404ThatSaysWhereTheLabsAreListed() {
        Response response = api(newLearner(), LEARNER_PASSWORD).get("/api/v1/labs/no-such-lab");
        assertProblem(response, 404, "/problems/lab-not-found");
        assertThat(response.json().get("detail").asString()).contains("no-such-lab").contains("GET /api/v1/labs");
    }

    @Test
    void anUnknownStepIsA404ListingTheLabsSteps() {
        Response response = api(newLearner(), LEARNER_PASSWORD).post("/api/v1/labs/clusterip/steps/nope/hints", null);
        assertProblem(response, 404, "/problems/step-not-found");
        assertThat(response.json().get("detail").asString()).contains("nope").contains("its steps are");
    }

    @Test
    void malformedJsonIsA400Problem() {
        Response response = api(ADMIN, ADMIN_PASSWORD).post("/api/v1/accounts", "{\"username\": ");
        assertProblem(response, 400, null);
        assertThat(response.json().get("instance").asString()).isEqualTo("/api/v1/accounts");
    }

    @Test
    void aRequestWithoutCredentialsIsA401Problem() {
        Response response = anonymousApi().get("/api/v1/labs");
        assertProblem(response, 401, "/problems/unauthenticated");
    }

    @Test
    void wrongCredentialsAreA401Problem() {
        Response response = api(ADMIN, "not-the-password").get("/api/v1/labs");
        assertProblem(response, 401, "/problems/unauthenticated");
    }

    @Test
    void aLearnerCreatingAccountsGetsA403Problem() {
        Response response = api(newLearner(), LEARNER_PASSWORD)
                .post("/api/v1/accounts", "{\"username\":\"x1\",\"password\":\"long-enough\",\"role\":\"ADMIN\"}");
        assertProblem(response, 403, "/problems/forbidden");
    }

    @Test
    void aTooShortPasswordIsA400ThatSaysHowLongItMustBe() {
        Response response = api(ADMIN, ADMIN_PASSWORD)
                .post("/api/v1/accounts", "{\"username\":\"shorty\",\"password\":\"abc\",\"role\":\"LEARNER\"}");
        assertProblem(response, 400, "/problems/invalid-account");
        assertThat(response.json().get("detail").asString()).contains("at least 8 characters");
    }

    @Test
    void hintsBeforeStartingTheLabAreAConflictThatSaysHowToStart() {
        Response response = api(newLearner(), LEARNER_PASSWORD).post("/api/v1/labs/clusterip/steps/"
                + firstStepOf("clusterip") + "/hints", null);
        assertProblem(response, 409, "/problems/lab-not-started");
        assertThat(response.json().get("detail").asString()).contains("/api/v1/labs/clusterip/enrolment");
    }

    @Test
    void aRequestBodyOverTheLimitIsA413ThatSaysTheLimit() {
        String huge = "{\"username\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        Response response = api(ADMIN, ADMIN_PASSWORD).post("/api/v1/accounts", huge);
        assertProblem(response, 413, "/problems/request-too-large");
        assertThat(response.json().get("detail").asString()).contains("at most 1024 KiB");
    }

    private String firstStepOf(String labId) {
        return api(ADMIN, ADMIN_PASSWORD).get("/api/v1/labs/" + labId).json().get("steps").get(0).get("id").asString();
    }
}
