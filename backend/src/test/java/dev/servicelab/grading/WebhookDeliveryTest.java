package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.servicelab.ApiClient.Response;
import dev.servicelab.cohort.CohortTestSupport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Completion events reach a grader's endpoint signed, and again after the endpoint failed once. */
class WebhookDeliveryTest extends CohortTestSupport {

    private record Received(int answered, Map<String, List<String>> headers, byte[] body) {
    }

    private HttpServer receiver;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failuresLeft.getAndDecrement() > 0 ? 500 : 200;
            received.add(new Received(status, Map.copyOf(exchange.getRequestHeaders()), body));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @Test
    void aLabCompletionIsPostedSignedAndRetriedAfterAFailure() throws Exception {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response hook = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"" + hookUrl() + "\"}");
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        String secret = hook.json().get("secret").asString();
        String learner = newLearner();
        join(learner, cohort);
        failuresLeft.set(1);

        passAll(learner, "clusterip");

        Received first = received.poll(15, TimeUnit.SECONDS);
        assertThat(first).as("first delivery").isNotNull();
        assertThat(first.answered()).isEqualTo(500);
        Received second = received.poll(30, TimeUnit.SECONDS);
        assertThat(second).as("retried delivery").isNotNull();
        assertThat(second.answered()).isEqualTo(200);

        assertThat(header(second, "X-ServiceLab-Signature")).isEqualTo("sha256=" + hmac(secret, second.body()));
        assertThat(MessageDigest.isEqual(second.body(), first.body())).as("the same event both times").isTrue();
        long timestamp = Long.parseLong(header(second, "X-ServiceLab-Timestamp"));
        assertThat(Duration.between(Instant.ofEpochSecond(timestamp), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
        JsonNode event = JsonMapper.builder().build().readTree(new String(second.body(), StandardCharsets.UTF_8));
        assertThat(event.get("type").asString()).isEqualTo("lab.completed");
        assertThat(event.get("learner").get("username").asString()).isEqualTo(learner);
        assertThat(event.get("lab").get("id").asString()).isEqualTo("clusterip");
        assertThat(event.get("result").get("score").asDouble()).isEqualTo(100.0);

        long webhookId = hook.json().get("webhook").get("id").asLong();
        JsonNode delivery = awaitDelivered(teacher, id(cohort), webhookId);
        assertThat(delivery.get("attempts").asInt()).isEqualTo(2);
        assertThat(delivery.get("lastStatus").asInt()).isEqualTo(200);
    }

    @Test
    void aSignatureMadeWithAnotherSecretDoesNotMatch() throws Exception {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"" + hookUrl() + "\"}");
        String learner = newLearner();
        join(learner, cohort);
        passAll(learner, "clusterip");
        Received delivery = received.poll(15, TimeUnit.SECONDS);
        assertThat(delivery).isNotNull();
        assertThat(header(delivery, "X-ServiceLab-Signature")).isNotEqualTo("sha256=" + hmac("whsec_guess", delivery.body()));
    }

    @Test
    void aLearnerOutsideTheCohortTriggersNoDelivery() throws Exception {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"" + hookUrl() + "\"}");
        passAll(newLearner(), "clusterip");
        assertThat(received.poll(3, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aTokenWithWebhooksManageRegistersAWebhook() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = tokenApi(token(teacher, "webhooks:manage", null))
                .post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"https://grader.example.edu/hook\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.json().get("secret").asString()).startsWith("whsec_");
    }

    @Test
    void aTokenWithoutWebhooksManageCannotRegisterOne() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = tokenApi(token(teacher, "results:read", null))
                .post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"https://grader.example.edu/hook\"}");
        assertProblem(response, 403, "/problems/insufficient-scope");
    }

    @Test
    void aWebhookUrlThatIsNotHttpIsA400() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"ftp://x/y\"}");
        assertProblem(response, 400, "/problems/invalid-webhook");
    }

    @Test
    void anotherInstructorCannotListTheCohortsWebhooks() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        assertProblem(instructorApi(newInstructor()).get("/api/v1/cohorts/" + id(cohort) + "/webhooks"), 404,
                "/problems/cohort-not-found");
    }

    @Test
    void aDeletedWebhookIsGone() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        long webhookId = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks",
                "{\"url\":\"https://grader.example.edu/hook\"}").json().get("webhook").get("id").asLong();
        assertThat(instructorApi(teacher).delete("/api/v1/cohorts/" + id(cohort) + "/webhooks/" + webhookId).status()).isEqualTo(204);
        assertThat(instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/webhooks").json().size()).isZero();
        assertProblem(instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/webhooks/" + webhookId + "/deliveries"),
                404, "/problems/webhook-not-found");
    }

    private JsonNode awaitDelivered(String teacher, long cohortId, long webhookId) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            JsonNode deliveries = instructorApi(teacher).get("/api/v1/cohorts/" + cohortId + "/webhooks/" + webhookId + "/deliveries").json();
            if (deliveries.size() > 0 && "DELIVERED".equals(deliveries.get(0).get("status").asString())) {
                return deliveries.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The delivery was not marked DELIVERED");
    }

    private static String header(Received received, String name) {
        return received.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElseThrow(() -> new AssertionError("no header " + name));
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
