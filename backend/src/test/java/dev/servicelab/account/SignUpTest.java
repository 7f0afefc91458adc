package dev.servicelab.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.cohort.CohortTestSupport;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Signing up signs you in and takes you where you were going: the catalog, or the cohort of your join link. */
class SignUpTest extends CohortTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String newName() {
        return "signup-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private WebSession browser() {
        return new WebSession(baseUrl());
    }

    private static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElse("");
    }

    private static void assertSignedInAs(WebSession session, String username) {
        HttpResponse<String> me = session.getJson("/api/v1/me");
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("username").asString()).isEqualTo(username);
    }

    @Test
    void signingUpOnThePageSignsYouInAndLandsOnTheCatalog() {
        WebSession session = browser();
        assertThat(session.get("/signup").statusCode()).isEqualTo(200);
        String name = newName();

        HttpResponse<String> response = session.postForm("/signup", Map.of("username", name, "displayName", "Ada", "password", "password-123"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        assertThat(location(response)).endsWith("/").doesNotContain("login");
        assertThat(session.get("/").statusCode()).as("the catalog, not the sign-in page").isEqualTo(200);
        assertSignedInAs(session, name);
    }

    @Test
    void signingUpThroughTheApiSignsYouIn() {
        WebSession session = browser();
        String name = newName();

        HttpResponse<String> response = session.postJson("/api/v1/signup",
                "{\"username\":\"" + name + "\",\"displayName\":\"Grace\",\"password\":\"password-123\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).get("role").asString()).isEqualTo("LEARNER");
        assertSignedInAs(session, name);
    }

    @Test
    void aVisitorFromAJoinLinkWhoSignsUpJoinsTheCohortAndLandsOnTheirCourses() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        String code = cohort.get("joinCode").asString();
        WebSession session = browser();
        assertThat(location(session.get("/join/" + code))).endsWith("/login");
        assertThat(session.get("/signup").body()).as("the join code is filled in").contains("value=\"" + code + "\"");
        String name = newName();

        HttpResponse<String> response = session.postForm("/signup", Map.of("username", name, "password", "password-123", "code", code));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        assertThat(location(response)).endsWith("/courses");
        assertThat(session.get("/courses").body()).contains(cohort.get("name").asString());
        JsonNode mine = JSON.readTree(session.getJson("/api/v1/me/cohorts").body());
        assertThat(mine.size()).isEqualTo(1);
        assertThat(mine.get(0).get("id").asLong()).isEqualTo(id(cohort));
    }

    @Test
    void aVisitorSentToSignInWhoSignsUpInsteadLandsWhereTheyWereGoing() {
        WebSession session = browser();
        assertThat(location(session.get("/courses"))).endsWith("/login");

        HttpResponse<String> response = session.postForm("/signup", Map.of("username", newName(), "password", "password-123"));

        assertThat(location(response)).contains("/courses");
        assertThat(session.get("/courses").statusCode()).isEqualTo(200);
    }

    @Test
    void aWrongJoinCodeCreatesNoAccount() {
        WebSession session = browser();
        String name = newName();

        HttpResponse<String> response = session.postJson("/api/v1/signup",
                "{\"username\":\"" + name + "\",\"password\":\"password-123\",\"code\":\"NOPE2345\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("type").asString()).isEqualTo("/problems/invalid-account");
        assertThat(JSON.readTree(response.body()).get("detail").asString()).contains("NOPE2345");
        assertThat(accountRepository.findByUsername(name)).isEmpty();
        assertThat(session.getJson("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void aTakenUsernameIsRefusedWithoutSayingWhoHasIt() {
        String existing = newLearner();
        WebSession session = browser();

        HttpResponse<String> response = session.postJson("/api/v1/signup",
                "{\"username\":\"" + existing.toUpperCase() + "\",\"password\":\"password-123\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("detail").asString())
                .isEqualTo("The username '" + existing.toUpperCase() + "' is not available; choose another one.");
        assertThat(session.getJson("/api/v1/me").statusCode()).as("nobody signed in").isEqualTo(401);
    }
}
