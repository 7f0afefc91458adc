package dev.servicelab.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.PlatformTestBase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sign-in tells nobody which accounts exist, and a username that failed too often (as often as
 * servicelab.accounts.limits.failures-per-account says) is refused with 429 and Retry-After,
 * before its password is checked.
 */
class SignInTest extends PlatformTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    @Value("${servicelab.accounts.limits.failures-per-account}")
    private int failuresPerAccount;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> basic(String username, String password) {
        String credentials = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/me")).header("Accept", "application/json")
                    .header("Authorization", "Basic " + credentials).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void failTooOften(String username) {
        for (int i = 0; i < failuresPerAccount; i++) {
            assertThat(basic(username, "wrong-password-" + i).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void anUnknownUserAndAWrongPasswordGetTheSameAnswer() {
        String learner = newLearner();
        HttpResponse<String> wrongPassword = basic(learner, "wrong-password");
        HttpResponse<String> unknownUser = basic("nobody-" + UUID.randomUUID().toString().substring(0, 8), "wrong-password");

        assertThat(unknownUser.statusCode()).isEqualTo(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(unknownUser.body())).isEqualTo(JSON.readTree(wrongPassword.body()));
        assertThat(unknownUser.headers().firstValue("WWW-Authenticate")).isEqualTo(wrongPassword.headers().firstValue("WWW-Authenticate"));
    }

    @Test
    void theSignInFormAnswersAnUnknownUserAndAWrongPasswordAlike() {
        String learner = newLearner();
        HttpResponse<String> wrongPassword = new WebSession(baseUrl()).postForm("/login",
                Map.of("username", learner, "password", "wrong-password"));
        HttpResponse<String> unknownUser = new WebSession(baseUrl()).postForm("/login",
                Map.of("username", "nobody-" + UUID.randomUUID().toString().substring(0, 8), "password", "wrong-password"));

        assertThat(unknownUser.statusCode()).isEqualTo(wrongPassword.statusCode()).isEqualTo(302);
        assertThat(unknownUser.headers().firstValue("Location")).isEqualTo(wrongPassword.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/login?error"));
    }

    @Test
    void afterTooManyFailuresEvenTheRightPasswordIsRefusedWith429() {
        String learner = newLearner();
        failTooOften(learner);

        HttpResponse<String> refused = basic(learner, LEARNER_PASSWORD);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 15 * 60L);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems/too-many-attempts");
        assertThat(problem.get("detail").asString()).startsWith("Too many attempts. Wait ");
    }

    @Test
    void theSignInPageSaysReadablyThatTheUserMustWait() {
        String learner = newLearner();
        failTooOften(learner);

        HttpResponse<String> page = new WebSession(baseUrl()).postForm("/login", Map.of("username", learner, "password", LEARNER_PASSWORD));

        assertThat(page.statusCode()).isEqualTo(429);
        assertThat(page.headers().firstValue("Retry-After")).isPresent();
        assertThat(page.body()).contains("Too many attempts. Wait 15 minutes and try again.").contains("<form");
    }

    @Test
    void aNameNobodyHasIsRefusedAlikeAfterAsManyFailures() {
        String nobody = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        failTooOften(nobody);
        assertThat(basic(nobody, "anything").statusCode()).isEqualTo(429);
    }
}
