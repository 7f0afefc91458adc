package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * On a server that runs sandboxes, a check asked for before the learner's cluster is ready is a
 * problem that says so (CheckStreamTest covers a server without sandboxes). No sandbox is started.
 */
class CheckNotReadyIT extends SandboxPlatformTestBase {

    @Test
    void aStreamedCheckWithoutAReadyClusterIsAProblemNotAStream() throws Exception {
        String learner = newLearner();
        api(learner, LEARNER_PASSWORD).post("/api/v1/labs/clusterip/enrolment", null);
        HttpResponse<String> response = CheckStreamTest.check(baseUrl(), learner, "text/event-stream, application/problem+json");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).contains("/problems/sandbox-not-ready");
        // The refused check gave its place back: the next attempt is refused for the same reason, not as too many.
        assertThat(CheckStreamTest.check(baseUrl(), learner, "text/event-stream, application/problem+json").body()).contains("/problems/sandbox-not-ready");
    }
}
