package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.PlatformTestBase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The streaming check (Accept: text/event-stream) refuses what it cannot check before any event,
 * with a problem detail and its status, like the JSON variant.
 */
class CheckStreamTest extends PlatformTestBase {

    private static final String LAB = "clusterip";

    @Test
    void aStreamedCheckOfALabNotStartedIsAProblemNotAStream() throws Exception {
        String learner = newLearner();
        HttpResponse<String> response = streamCheck(learner);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("/problems/lab-not-started");
    }

    /** CheckNotReadyIT covers a server with sandboxes where the learner has not started theirs (409 sandbox-not-ready). */
    @Test
    void aStreamedCheckOnAServerWithoutSandboxesIsAProblemNotAStream() throws Exception {
        String learner = newLearner();
        api(learner, LEARNER_PASSWORD).post("/api/v1/labs/" + LAB + "/enrolment", null);
        HttpResponse<String> response = streamCheck(learner);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("/problems/sandboxes-disabled");
        // The refused check gave its place back: the next attempt is refused for the same reason, not as too many.
        assertThat(streamCheck(learner).body()).contains("/problems/sandboxes-disabled");
    }

    @Test
    void aClientThatAcceptsAnythingGetsTheJsonAnswer() throws Exception {
        String learner = newLearner();
        HttpResponse<String> response = check(learner, "*/*");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("/problems/lab-not-started");
    }

    private HttpResponse<String> streamCheck(String learner) throws Exception {
        return check(learner, "text/event-stream, application/problem+json");
    }

    private HttpResponse<String> check(String learner, String accept) throws Exception {
        return check(baseUrl(), learner, accept);
    }

    /** Asks for the first step's check of the lab as {@code learner}, accepting {@code accept}. */
    static HttpResponse<String> check(String baseUrl, String learner, String accept) throws Exception {
        String auth = Base64.getEncoder().encodeToString((learner + ":" + LEARNER_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/labs/" + LAB
                        + "/steps/expose-imperatively/checks")).header("Authorization", "Basic " + auth)
                .header("Accept", accept).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
