package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient.Response;
import dev.servicelab.cohort.CohortTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Scoped, revocable API tokens: what a grader's script presents instead of a password. */
class ApiTokenTest extends CohortTestSupport {

    @Test
    void aTokenWithResultsReadReadsTheOwnersCohortResults() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = tokenApi(token(teacher, "results:read", null)).get("/api/v1/cohorts/" + id(cohort) + "/results");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("totalItems").asInt()).isZero();
    }

    @Test
    void theTokenIsShownOnceAndListedOnlyByItsPrefix() {
        String teacher = newInstructor();
        String token = token(teacher, "results:read", null);
        assertThat(token).matches("slt_[a-z0-9]{10}_[A-Za-z0-9]{32}");
        Response list = instructorApi(teacher).get("/api/v1/tokens");
        assertThat(list.body()).doesNotContain(token).contains(token.substring(4, 14));
    }

    @Test
    void aTokenWithoutTheScopeIsA403NamingTheScope() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = tokenApi(token(teacher, "cohorts:read", null)).get("/api/v1/cohorts/" + id(cohort) + "/results");
        assertProblem(response, 403, "/problems/insufficient-scope");
        assertThat(response.json().get("detail").asString()).contains("results:read");
    }

    @Test
    void aTokenWithCohortsReadListsTheOwnersCohorts() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        JsonNode list = tokenApi(token(teacher, "cohorts:read", null)).get("/api/v1/cohorts").json();
        assertThat(list.findValues("id").stream().map(JsonNode::asLong)).containsExactly(id(cohort));
    }

    @Test
    void aTokenLimitedToOneCohortIsRefusedAnother() {
        String teacher = newInstructor();
        JsonNode one = createCohort(teacher, "clusterip");
        JsonNode other = createCohort(teacher, "nodeport");
        String token = token(teacher, "results:read cohorts:read", id(one));
        assertThat(tokenApi(token).get("/api/v1/cohorts/" + id(one) + "/results").status()).isEqualTo(200);
        Response response = tokenApi(token).get("/api/v1/cohorts/" + id(other) + "/results");
        assertProblem(response, 403, "/problems/token-cohort");
        assertThat(tokenApi(token).get("/api/v1/cohorts").json().size()).isEqualTo(1);
    }

    @Test
    void aTokenCannotReachAnotherInstructorsCohort() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        Response response = tokenApi(token(newInstructor(), "results:read", null)).get("/api/v1/cohorts/" + id(cohort) + "/results");
        assertProblem(response, 404, "/problems/cohort-not-found");
    }

    @Test
    void aRevokedTokenIsA401() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String token = token(teacher, "results:read", null);
        long tokenId = instructorApi(teacher).get("/api/v1/tokens").json().get(0).get("id").asLong();
        assertThat(instructorApi(teacher).delete("/api/v1/tokens/" + tokenId).json().get("revokedAt").isNull()).isFalse();
        Response response = tokenApi(token).get("/api/v1/cohorts/" + id(cohort) + "/results");
        assertProblem(response, 401, "/problems/invalid-token");
        assertThat(response.json().get("detail").asString()).contains("revoked");
    }

    @Test
    void aMadeUpTokenIsA401() {
        assertProblem(tokenApi("slt_abcdefghij_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345").get("/api/v1/cohorts"), 401,
                "/problems/invalid-token");
        assertProblem(tokenApi("not-a-token").get("/api/v1/cohorts"), 401, "/problems/invalid-token");
    }

    @Test
    void aTokenDoesNotReachTheRestOfTheApi() {
        String teacher = newInstructor();
        assertProblem(tokenApi(token(teacher, "results:read", null)).get("/api/v1/me"), 403, "/problems/token-not-allowed");
    }

    @Test
    void aTokenCannotCreateCohorts() {
        String teacher = newInstructor();
        Response response = tokenApi(token(teacher, "results:read cohorts:read webhooks:manage", null))
                .post("/api/v1/cohorts", "{\"name\":\"x\",\"labs\":[{\"labId\":\"clusterip\"}]}");
        assertProblem(response, 403, "/problems/token-not-allowed");
    }

    @Test
    void anUnknownScopeIsA400ListingTheScopes() {
        Response response = instructorApi(newInstructor()).post("/api/v1/tokens", "{\"name\":\"x\",\"scopes\":[\"everything\"]}");
        assertProblem(response, 400, "/problems/invalid-token-request");
        assertThat(response.json().get("detail").asString()).contains("results:read", "webhooks:manage");
    }

    @Test
    void aLearnerCannotCreateTokens() {
        assertProblem(learnerApi(newLearner()).post("/api/v1/tokens", "{\"name\":\"x\",\"scopes\":[\"results:read\"]}"), 403,
                "/problems/forbidden");
    }

    @Test
    void anInstructorCannotRevokeAnotherInstructorsToken() {
        String teacher = newInstructor();
        token(teacher, "results:read", null);
        long tokenId = instructorApi(teacher).get("/api/v1/tokens").json().get(0).get("id").asLong();
        assertProblem(instructorApi(newInstructor()).delete("/api/v1/tokens/" + tokenId), 404, "/problems/token-not-found");
    }

    @Test
    void basicAuthenticationStillWorksBesideTokens() {
        assertThat(instructorApi(newInstructor()).get("/api/v1/me").status()).isEqualTo(200);
    }

    @Test
    void theOpenApiDescriptionDocumentsTheGradingApiAndTokens() {
        JsonNode docs = anonymousApi().get("/v3/api-docs").json();
        assertThat(docs.get("paths").has("/api/v1/cohorts/{id}/results")).isTrue();
        assertThat(docs.get("paths").has("/api/v1/cohorts/{id}/webhooks")).isTrue();
        assertThat(docs.get("components").get("securitySchemes").get("apiToken").get("scheme").asString()).isEqualTo("bearer");
        assertThat(docs.toString()).contains("X-ServiceLab-Signature").contains("/problems/invalid-query");
    }
}
