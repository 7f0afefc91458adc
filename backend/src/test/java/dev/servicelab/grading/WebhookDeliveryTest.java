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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Completion events reach a grader's endpoint signed, and again after the endpoint failed once; internal
 * addresses, redirects, silent and chatty receivers are handled safely. (PlatformTestBase allows 127.0.0.1.)
 */
class WebhookDeliveryTest extends CohortTestSupport {

    private record Received(int answered, Map<String, List<String>> headers, byte[] body) {
    }

    private HttpServer receiver;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger redirectedTo = new AtomicInteger();

    @Autowired
    private JdbcClient jdbc;

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
        receiver.createContext("/redirect", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/target");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        receiver.createContext("/target", exchange -> {
            redirectedTo.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.createContext("/noisy", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "java.sql.SQLException: password=hunter2 at db-internal:5432".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return url("/hook");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    /** Registers a webhook at this URL for a new cohort of this instructor and returns its id. */
    private long register(String teacher, JsonNode cohort, String url) {
        Response hook = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"" + url + "\"}");
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        return hook.json().get("webhook").get("id").asLong();
    }

    @Test
    void aWebhookToAnInternalAddressIsRefusedAtRegistration() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest", "http://10.0.0.1/hook",
                "http://172.16.5.5/hook", "http://192.168.1.1/hook", "http://100.64.0.1/hook", "http://0.0.0.0:8080/hook",
                "http://[::1]:8080/hook", "http://127.0.0.2:8080/hook", "http://[fc00::1]/hook")) {
            Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/webhooks", "{\"url\":\"" + url + "\"}");
            assertProblem(response, 400, "/problems/webhook-address-refused");
            assertThat(response.json().get("detail").asString()).as(url).contains("allowed-networks");
        }
        assertThat(instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/webhooks").json().size()).isZero();
    }

    @Test
    void aDeliveryIsRefusedWhenTheHostNowResolvesToAnInternalAddress() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        long webhookId = register(teacher, cohort, hookUrl());
        // As if the host's DNS answer changed after registration (the test allows only 127.0.0.1, not ::1).
        jdbc.sql("update webhook set url = ? where id = ?").params("http://[::1]:" + receiver.getAddress().getPort() + "/hook", webhookId)
                .update();
        String learner = newLearner();
        join(learner, cohort);

        passAll(learner, "clusterip");

        JsonNode delivery = awaitLatestDelivery(teacher, id(cohort), webhookId, d -> d.get("attempts").asInt() > 0, Duration.ofSeconds(10));
        assertThat(delivery.get("status").asString()).isEqualTo("PENDING");
        assertThat(delivery.get("lastError").asString()).contains("::1").contains("may not reach");
        assertThat(received).as("nothing was sent").isEmpty();
    }

    @Test
    void aRedirectIsNotFollowed() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        long webhookId = register(teacher, cohort, url("/redirect"));
        String learner = newLearner();
        join(learner, cohort);

        passAll(learner, "clusterip");

        JsonNode delivery = awaitLatestDelivery(teacher, id(cohort), webhookId, d -> d.get("attempts").asInt() > 0, Duration.ofSeconds(10));
        assertThat(delivery.get("lastStatus").asInt()).isEqualTo(307);
        assertThat(delivery.get("lastError").asString()).contains("do not follow redirects");
        assertThat(redirectedTo.get()).isZero();
    }

    @Test
    void theReceiversAnswerIsNotShownOnlyItsStatus() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        long webhookId = register(teacher, cohort, url("/noisy"));
        String learner = newLearner();
        join(learner, cohort);

        passAll(learner, "clusterip");

        JsonNode delivery = awaitLatestDelivery(teacher, id(cohort), webhookId, d -> d.get("attempts").asInt() > 0, Duration.ofSeconds(10));
        assertThat(delivery.get("lastStatus").asInt()).isEqualTo(500);
        assertThat(delivery.get("lastError").asString()).isEqualTo("The receiver answered HTTP 500");
        assertThat(delivery.toString()).doesNotContain("hunter2");
    }

    @Test
    void aReceiverThatNeverAnswersDelaysNoOtherAndRunsIntoTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer silent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        silent.setExecutor(Executors.newCachedThreadPool());
        silent.createContext("/hook", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        silent.start();
        try {
            String teacher = newInstructor();
            JsonNode cohort = createCohort(teacher, "clusterip");
            // Registered first, so its delivery is claimed first.
            long silentId = register(teacher, cohort, "http://127.0.0.1:" + silent.getAddress().getPort() + "/hook");
            register(teacher, cohort, hookUrl());
            String learner = newLearner();
            join(learner, cohort);

            passAll(learner, "clusterip");

            assertThat(received.poll(5, TimeUnit.SECONDS)).as("the other webhook's delivery, without waiting for the silent one")
                    .isNotNull();
            JsonNode stuck = awaitLatestDelivery(teacher, id(cohort), silentId, d -> d.get("attempts").asInt() > 0,
                    Duration.ofSeconds(20));
            assertThat(stuck.get("lastError").asString()).isEqualTo("No answer within 10 s");
        } finally {
            release.countDown();
            silent.stop(0);
        }
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

        long timestamp = Long.parseLong(header(second, "X-ServiceLab-Timestamp"));
        assertThat(header(second, "X-ServiceLab-Signature")).as("HMAC of timestamp.body")
                .isEqualTo("sha256=" + hmac(secret, timestamp, second.body()));
        assertThat(header(second, "X-ServiceLab-Signature")).as("a replay with another timestamp would not match")
                .isNotEqualTo("sha256=" + hmac(secret, timestamp - 600, second.body()));
        assertThat(MessageDigest.isEqual(second.body(), first.body())).as("the same event both times").isTrue();
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
        long timestamp = Long.parseLong(header(delivery, "X-ServiceLab-Timestamp"));
        assertThat(header(delivery, "X-ServiceLab-Signature")).isNotEqualTo("sha256=" + hmac("whsec_guess", timestamp, delivery.body()));
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

    private JsonNode awaitDelivered(String teacher, long cohortId, long webhookId) {
        return awaitLatestDelivery(teacher, cohortId, webhookId, d -> "DELIVERED".equals(d.get("status").asString()), Duration.ofSeconds(5));
    }

    /** The webhook's latest delivery once it satisfies {@code done}. */
    private JsonNode awaitLatestDelivery(String teacher, long cohortId, long webhookId, java.util.function.Predicate<JsonNode> done,
            Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode deliveries = instructorApi(teacher).get("/api/v1/cohorts/" + cohortId + "/webhooks/" + webhookId + "/deliveries").json();
            return deliveries.size() > 0 ? deliveries.get(0) : null;
        }, d -> d != null && done.test(d));
    }

    private static String header(Received received, String name) {
        return received.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElseThrow(() -> new AssertionError("no header " + name));
    }

    /** What a receiver computes, as the API description tells it: HMAC-SHA256 of timestamp, ".", body. */
    private static String hmac(String secret, long timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
