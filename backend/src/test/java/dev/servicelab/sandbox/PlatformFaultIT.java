package dev.servicelab.sandbox;

import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.OwnPlatform;
import dev.servicelab.RequiresDocker;
import dev.servicelab.security.Account;
import dev.servicelab.db.EmbeddedPostgres;
import dev.servicelab.terminal.TerminalClient;
import dev.servicelab.traffic.EchoWorkload;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Real faults on a platform of its own (real sandboxes, its own embedded PostgreSQL, a warm pool
 * of one): the database stops for longer than the connection pool waits, and a server restart in the
 * middle of a learner's work. The platform heals without being restarted by hand.
 */
@RequiresDocker
class PlatformFaultIT {

    private static final String LAB = "clusterip";

    static OwnPlatform platform;

    @BeforeAll
    static void start() {
        platform = OwnPlatform.start("servicelab.sandbox.warm-pool=1");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static JsonView view(ApiClient api) {
        var json = api.get("/api/v1/labs/" + LAB + "/sandbox").json();
        return new JsonView(json.path("state").asString(), json.path("sandboxId").asString());
    }

    private record JsonView(String state, String sandboxId) {
    }

    private static ApiClient readyLearner(Account learner) {
        ApiClient api = platform.api(learner);
        api.post("/api/v1/labs/" + LAB + "/enrolment", "");
        assertThat(api.post("/api/v1/labs/" + LAB + "/sandbox", "").status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> "READY".equals(view(api).state()));
        return api;
    }

    private static Optional<String> pooledReady() {
        return platform.bean(JdbcSandboxLedger.class).active().stream()
                .filter(r -> r.pooled() && r.state() == SandboxState.READY).map(SandboxRecord::sandboxId).findFirst();
    }

    private static void kill(String sandboxId) {
        Sandbox sandbox = platform.bean(SandboxManager.class).connection(sandboxId).orElseThrow();
        DockerClientFactory.instance().client().killContainerCmd(sandbox.server().containerId()).exec();
    }

    @Test
    void afterADatabaseOutageDeadNodesAreNoticedAndThePoolRefills() {
        ApiClient api = readyLearner(platform.learner());
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> pooledReady().isPresent());
        String learnersSandbox = view(api).sandboxId();
        String pooled = pooledReady().orElseThrow();

        EmbeddedPostgres database = platform.bean(EmbeddedPostgres.class);
        database.close();
        // Longer than the connection pool's 30 s connection timeout: every housekeeping round fails meanwhile.
        await().pollDelay(Duration.ofSeconds(40)).atMost(Duration.ofSeconds(45)).until(() -> true);
        database.restart();
        // Then: once the platform is talking to its database again (one housekeeping round has completed),
        // a node that dies is noticed within a health interval.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(new ApiClient(platform.baseUrl(), "admin",
                OwnPlatform.PASSWORD).get("/actuator/health").json().path("components").path("sandboxes").path("status")
                .asString()).isEqualTo("UP"));
        long killed = System.nanoTime();
        kill(learnersSandbox);
        kill(pooled);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "DEAD".equals(view(api).state()));
        System.out.printf("after the database outage, a killed node was noticed in %d ms (health interval 3 s)%n",
                (System.nanoTime() - killed) / 1_000_000);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> pooledReady().filter(id -> !id.equals(pooled)).isPresent());
        assertThat(platform.bean(JdbcSandboxLedger.class).find(pooled).orElseThrow().state()).isEqualTo(SandboxState.DEAD);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(new ApiClient(platform.baseUrl(), null, null)
                .get("/actuator/health").json().path("status").asString()).isEqualTo("UP"));
    }

    @Test
    void aServerRestartLeavesTheShellStreamingAndTrafficCounting() throws Exception {
        Account learner = platform.learner();
        ApiClient api = readyLearner(learner);
        EchoWorkload.deploy(platform.bean(SandboxService.class).ready(learner, LAB).client(), "shop", 2);

        TerminalClient terminal = TerminalClient.open(platform.port(), learner.username(), OwnPlatform.PASSWORD, LAB, 1, -1);
        assertThat(terminal.awaitStarted(Duration.ofSeconds(60))).as("the shell starts: %s", terminal.describe()).isTrue();
        terminal.type("yes servicelab-stream\r");
        assertThat(terminal.await("servicelab-stream", Duration.ofSeconds(30))).isTrue();
        CompletableFuture<ApiClient.Response> run = CompletableFuture.supplyAsync(() -> api.post(
                "/api/v1/labs/" + LAB + "/traffic/requests", "{\"service\":\"web\",\"namespace\":\"shop\",\"count\":3000}"));

        platform.restart();
        long seen = terminal.seq.get();

        TerminalClient again = TerminalClient.open(platform.port(), learner.username(), OwnPlatform.PASSWORD, LAB, 1, seen);
        assertThat(again.await("servicelab-stream", Duration.ofSeconds(60))).as("yes is still streaming after the restart").isTrue();
        again.type("\u0003");
        again.type("echo after-$((40+2))\r");
        assertThat(again.await("after-42", Duration.ofSeconds(30))).as("the same shell answers").isTrue();
        again.close();

        run.handle((response, error) -> null).join(); // cut by the restart or finished: either is fine
        ApiClient after = platform.api(learner);
        var summary = after.post("/api/v1/labs/" + LAB + "/traffic/requests",
                "{\"service\":\"web\",\"namespace\":\"shop\",\"count\":40}");
        assertThat(summary.status()).isEqualTo(200);
        assertThat(summary.json().path("answered").asInt()).isEqualTo(40);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(after.get("/api/v1/labs/" + LAB + "/traffic")
                .body()).contains("\"web\""));
    }
}
