package dev.servicelab.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.RequiresDocker;
import dev.servicelab.security.Account;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On real sandboxes: a learner starts their cluster over at the start of a step and gets a fresh
 * cluster prepared up to there (the steps before it solved), without what they made themselves.
 */
@RequiresDocker
class StartOverIT {

    private static final String LAB = "clusterip";

    static OwnPlatform platform;

    @BeforeAll
    static void start() {
        platform = OwnPlatform.start("servicelab.sandbox.warm-pool=0");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static String awaitReady(ApiClient api) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                "READY".equals(api.get("/api/v1/labs/" + LAB + "/sandbox").json().path("state").asString()));
        return api.get("/api/v1/labs/" + LAB + "/sandbox").json().path("sandboxId").asString();
    }

    @Test
    void startingOverAtAStepDiscardsTheLearnersObjectsAndSolvesTheStepsBeforeIt() {
        Account learner = platform.learner();
        ApiClient api = platform.api(learner);
        assertThat(api.post("/api/v1/labs/" + LAB + "/enrolment", "").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/labs/" + LAB + "/sandbox", "").status()).isEqualTo(202);
        String first = awaitReady(api);
        SandboxService sandboxes = platform.bean(SandboxService.class);
        sandboxes.ready(learner, LAB).client().configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("mine").endMetadata().addToData("note", "my experiment").build()).create();

        var unknown = api.post("/api/v1/labs/" + LAB + "/sandbox/start-over", "{\"step\":\"no-such-step\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("detail").asString()).contains("no step \"no-such-step\"");
        assertThat(api.get("/api/v1/labs/" + LAB + "/sandbox").json().path("sandboxId").asString())
                .as("a refused start-over leaves the cluster alone").isEqualTo(first);

        var over = api.post("/api/v1/labs/" + LAB + "/sandbox/start-over", "{\"step\":\"declare-in-yaml\"}");
        assertThat(over.status()).as(over.body()).isEqualTo(202);
        String second = awaitReady(api);
        assertThat(second).isNotEqualTo(first);

        var client = sandboxes.ready(learner, LAB).client();
        assertThat(client.configMaps().inNamespace("default").withName("mine").get()).as("the learner's own object").isNull();
        assertThat(client.apps().deployments().inNamespace("default").withName("api").get()).as("step 1's setup").isNotNull();
        assertThat(client.services().inNamespace("default").withName("api").get()).as("step 1's solution").isNotNull();
        assertThat(client.services().inNamespace("default").withName("api-alt").get()).as("step 2 is the learner's to do")
                .isNull();
    }
}
