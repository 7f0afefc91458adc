package dev.servicelab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.security.AccountRepository;
import dev.servicelab.account.AccountService;
import dev.servicelab.security.Role;
import dev.servicelab.check.CheckAttemptedEvent;
import dev.servicelab.db.EmbeddedPostgres;
import dev.servicelab.events.ClusterEvents;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.progress.ProgressService;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two platform replicas on one database (the embedded PostgreSQL of the first), sandboxes off: any
 * replica serves any request. A browser session made by one is valid on the other, and an
 * instructor's dashboard open on one follows what learners do through the other.
 */
class ReplicasTest {

    private static final String PASSWORD = "replica-password";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path home;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    @BeforeAll
    static void startTwoReplicas() {
        String platformId = PlatformTestBase.PLATFORM_ID + "-replicas";
        a = new SpringApplicationBuilder(ServiceLabApplication.class).run(
                "--server.port=0",
                "--servicelab.sandbox.enabled=false",
                "--servicelab.webhooks.allowed-networks=127.0.0.1/32", // its receiver is on loopback
                "--servicelab.sandbox.platform-id=" + platformId,
                "--servicelab.database.embedded.directory=" + home.resolve("postgres"),
                "--servicelab.labs.directory=" + System.getProperty("servicelab.labs.directory"));
        EmbeddedPostgres postgres = a.getBean(EmbeddedPostgres.class);
        b = new SpringApplicationBuilder(ServiceLabApplication.class).run(
                "--server.port=0",
                "--servicelab.sandbox.enabled=false",
                "--servicelab.webhooks.allowed-networks=127.0.0.1/32", // its receiver is on loopback
                "--servicelab.sandbox.platform-id=" + platformId,
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=" + postgres.username(),
                "--spring.datasource.password=" + postgres.password(),
                "--servicelab.labs.directory=" + System.getProperty("servicelab.labs.directory"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.getBean(ClusterEvents.class).listening() && b.getBean(ClusterEvents.class).listening());
    }

    @AfterAll
    static void stopReplicas() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close(); // last: it runs the database
        }
    }

    // --- sessions -------------------------------------------------------------------------------

    @Test
    void aSessionMadeOnOneReplicaIsValidOnTheOther() {
        String learner = account(Role.LEARNER);
        Browser browser = new Browser();
        browser.signIn(a, learner);

        HttpResponse<String> me = browser.get(b, "/api/v1/me");

        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("username").asString()).isEqualTo(learner);
        assertThat(browser.get(b, "/").statusCode()).as("a page, not the sign-in redirect").isEqualTo(200);
    }

    @Test
    void signingOutOnOneReplicaEndsTheSessionOnTheOther() {
        String learner = account(Role.LEARNER);
        Browser browser = new Browser();
        browser.signIn(a, learner);
        assertThat(browser.get(b, "/api/v1/me").statusCode()).isEqualTo(200);
        String session = browser.cookies.get("SESSION");

        HttpResponse<String> signOut = browser.post(b, "/logout", Map.of("_csrf", browser.csrf(b, "/")));
        assertThat(signOut.statusCode()).isEqualTo(302);
        assertThat(signOut.headers().firstValue("Location").orElseThrow()).endsWith("/login?signedOut");

        browser.cookies.put("SESSION", session); // a copy of the old cookie is no use either
        assertThat(browser.get(a, "/api/v1/me").statusCode()).isEqualTo(401);
        assertThat(browser.get(a, "/").statusCode()).as("back to the sign-in page").isEqualTo(302);
    }

    // --- live dashboard -------------------------------------------------------------------------

    @Test
    void anAttemptRecordedThroughOneReplicaReachesADashboardOnTheOtherWithinASecond() {
        Cohort cohort = cohort();
        try (Dashboard onA = Dashboard.open(a, cohort)) {
            long before = System.nanoTime();
            attempt(b, cohort.learner(), cohort.step(0), "Service web selects no Pods");

            Event event = onA.waitFor("attempt", Duration.ofSeconds(1));
            double lagMs = (event.receivedAtNanos() - before) / 1e6;
            System.out.printf("Replica lag, attempt recorded on B to dashboard event on A: %.1f ms%n", lagMs);
            assertThat(event.json().get("username").asString()).isEqualTo(cohort.learner());
            assertThat(event.json().get("stepId").asString()).isEqualTo(cohort.step(0));
            assertThat(event.json().get("passed").asBoolean()).isFalse();
            assertThat(event.json().get("message").asString()).isEqualTo("Service web selects no Pods");
        }
    }

    @Test
    void aStepPassedThroughOneReplicaTurnsGreenOnTheOthersDashboard() {
        Cohort cohort = cohort();
        try (Dashboard onA = Dashboard.open(a, cohort)) {
            long before = System.nanoTime();
            b.getBean(ProgressService.class).recordPassed(user(b, cohort.learner()), "clusterip", cohort.step(0));

            Event event = onA.waitFor("progress", Duration.ofSeconds(1));
            System.out.printf("Replica lag, step passed on B to dashboard event on A: %.1f ms%n",
                    (event.receivedAtNanos() - before) / 1e6);
            JsonNode steps = event.json().get("steps");
            assertThat(steps.get(0).get("status").asString()).isEqualTo("PASSED");
            assertThat(steps.get(1).get("status").asString()).isEqualTo("IN_PROGRESS");
            assertThat(event.json().get("passedSteps").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theReplicaThatRecordsAnAttemptShowsItOnItsOwnDashboardsOnce() {
        Cohort cohort = cohort();
        try (Dashboard onB = Dashboard.open(b, cohort); Dashboard onA = Dashboard.open(a, cohort)) {
            attempt(b, cohort.learner(), cohort.step(0), "first");
            onA.waitFor("attempt", Duration.ofSeconds(2)); // the NOTIFY went round, back to B as well

            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> onB.count("attempt") == 1 && onA.count("attempt") == 1);
        }
    }

    @Test
    void aLearnersSandboxChangingStateShowsOnEveryReplica() {
        Cohort cohort = cohort();
        try (Dashboard onA = Dashboard.open(a, cohort); Dashboard onB = Dashboard.open(b, cohort)) {
            String sandbox = "sb-" + UUID.randomUUID().toString().substring(0, 8);
            // Whichever replica writes the sandbox row (here B, as its sandbox service would), the database announces it.
            b.getBean(JdbcClient.class).sql("""
                    insert into sandbox (id, owner, lab_id, state, phase, created_at, last_active_at)
                    values (?, ?, 'clusterip', 'STARTING', 'STARTING', now(), now())""")
                    .params(sandbox, cohort.learner()).update();
            b.getBean(JdbcClient.class).sql("update sandbox set state = 'READY', phase = 'READY' where id = ?")
                    .param(sandbox).update();

            // Each announcement shows the row as it is when read: the last one is READY on both replicas.
            await().atMost(Duration.ofSeconds(2)).until(() -> onA.count("sandbox") == 2 && onB.count("sandbox") == 2);
            for (Dashboard dashboard : List.of(onA, onB)) {
                var last = dashboard.events("sandbox").get(1).json();
                assertThat(last.get("state").asString()).isEqualTo("READY");
                assertThat(last.get("sandboxId").asString()).isEqualTo(sandbox);
            }
        }
    }

    @Test
    void aReplicaListensAgainAfterItsConnectionIsKilledAndTellsDashboardsToCatchUp() {
        Cohort cohort = cohort();
        try (Dashboard onA = Dashboard.open(a, cohort)) {
            int killed = a.getBean(JdbcClient.class).sql("""
                    select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'servicelab-events'""")
                    .query(Integer.class).single();
            assertThat(killed).as("one listening connection per replica").isEqualTo(2);

            onA.waitFor("resync", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> a.getBean(ClusterEvents.class).listening() && b.getBean(ClusterEvents.class).listening());
            attempt(b, cohort.learner(), cohort.step(0), "after the outage");
            assertThat(onA.waitFor("attempt", Duration.ofSeconds(2)).json().get("message").asString()).isEqualTo("after the outage");
        }
    }

    // --- webhooks -------------------------------------------------------------------------------

    @Test
    void aLabCompletedThroughOneReplicaFiresItsWebhookOnceThoughBothReplicasDeliver() throws IOException {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Cohort cohort = cohort();
            ApiClient.Response hook = new ApiClient(url(a, ""), cohort.instructor(), PASSWORD).post("/api/v1/cohorts/" + cohort.id()
                    + "/webhooks", "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}");
            assertThat(hook.status()).as(hook.body()).isEqualTo(201);

            var learner = user(b, cohort.learner());
            cohort.steps().forEach(step -> b.getBean(ProgressService.class).recordPassed(learner, "clusterip", step));

            await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            // Both replicas poll for due deliveries every second: a few rounds, and still one delivery.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
            assertThat(received.get(0)).contains("lab.completed").contains(cohort.learner());
        } finally {
            receiver.stop(0);
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    record Cohort(long id, String instructor, String learner, List<String> steps) {
        String step(int i) {
            return steps.get(i);
        }
    }

    /** An instructor's cohort of the clusterip lab with one learner who started it, made through replica A's API. */
    private static Cohort cohort() {
        String instructor = account(Role.INSTRUCTOR);
        String learner = account(Role.LEARNER);
        ApiClient api = new ApiClient(url(a, ""), instructor, PASSWORD);
        ApiClient.Response created = api.post("/api/v1/cohorts", "{\"name\":\"Replicas\",\"labs\":[{\"labId\":\"clusterip\"}]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        ApiClient.Response joined = new ApiClient(url(b, ""), learner, PASSWORD).post("/api/v1/cohorts/join",
                "{\"code\":\"" + created.json().get("joinCode").asString() + "\"}");
        assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        a.getBean(ProgressService.class).start(user(a, learner), "clusterip");
        List<String> steps = a.getBean(LabCatalogService.class).lab("clusterip").steps().stream().map(s -> s.id()).toList();
        return new Cohort(created.json().get("id").asLong(), instructor, learner, steps);
    }

    private static String account(Role role) {
        String username = role.name().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
        a.getBean(AccountService.class).create(username, "Replica " + role, PASSWORD, role);
        return username;
    }

    private static dev.servicelab.security.Account user(ConfigurableApplicationContext replica, String username) {
        return replica.getBean(AccountRepository.class).findByUsername(username).orElseThrow();
    }

    /** What CheckService does once a check ran: record the attempt, then announce it. */
    private static void attempt(ConfigurableApplicationContext replica, String learner, String step, String message) {
        var account = user(replica, learner);
        replica.getBean(JdbcClient.class).sql("""
                insert into check_attempt (account_id, lab_id, step_id, passed, message, results, duration_ms)
                values (?, 'clusterip', ?, false, ?, '[]', 5)""").params(account.id(), step, message).update();
        replica.publishEvent(new CheckAttemptedEvent(account.id(), learner, "clusterip", step, false, message, Instant.now()));
    }

    private static String url(ConfigurableApplicationContext replica, String path) {
        return "http://localhost:" + ((WebServerApplicationContext) replica).getWebServer().getPort() + path;
    }

    /** A browser's cookies against both replicas (what a cookie-less load balancer in front of them would carry). */
    static final class Browser {

        private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");
        final Map<String, String> cookies = new LinkedHashMap<>();
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        void signIn(ConfigurableApplicationContext replica, String username) {
            HttpResponse<String> signedIn = post(replica, "/login",
                    Map.of("username", username, "password", PASSWORD, "_csrf", csrf(replica, "/login")));
            assertThat(signedIn.statusCode()).isEqualTo(302);
            assertThat(signedIn.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
            assertThat(cookies).containsKey("SESSION");
        }

        /** The CSRF token of the first form on a page (the sign-in form, or the sign-out button of every page). */
        String csrf(ConfigurableApplicationContext replica, String path) {
            Matcher csrf = CSRF.matcher(get(replica, path).body());
            assertThat(csrf.find()).as("a form with a CSRF token on " + path).isTrue();
            return csrf.group(1);
        }

        HttpResponse<String> get(ConfigurableApplicationContext replica, String path) {
            return send(request(replica, path).GET());
        }

        HttpResponse<String> post(ConfigurableApplicationContext replica, String path, Map<String, String> form) {
            String body = String.join("&", form.entrySet().stream().map(e -> e.getKey() + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).toList());
            return send(request(replica, path).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        private HttpRequest.Builder request(ConfigurableApplicationContext replica, String path) {
            var builder = HttpRequest.newBuilder(URI.create(url(replica, path))).header("Accept", "text/html,*/*;q=0.8");
            if (!cookies.isEmpty()) {
                builder.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            return builder;
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                for (String header : response.headers().allValues("Set-Cookie")) {
                    String pair = header.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    String value = pair.substring(eq + 1);
                    if (value.isEmpty()) {
                        cookies.remove(pair.substring(0, eq));
                    } else {
                        cookies.put(pair.substring(0, eq), value);
                    }
                }
                return response;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    record Event(String name, String data, long receivedAtNanos) {
        JsonNode json() {
            return JSON.readTree(data);
        }
    }

    /** An instructor's dashboard stream (Server-Sent Events) on one replica, recording what arrives. */
    static final class Dashboard implements AutoCloseable {

        private final List<Event> events = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private volatile Stream<String> lines;

        private Dashboard(ConfigurableApplicationContext replica, Cohort cohort) {
            String basic = Base64.getEncoder().encodeToString((cohort.instructor() + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(url(replica, "/instructor/cohorts/" + cohort.id() + "/events")))
                    .header("Accept", "text/event-stream").header("Authorization", "Basic " + basic).GET().build();
            reader = new Thread(() -> read(request), "dashboard-stream");
            reader.setDaemon(true);
            reader.start();
        }

        static Dashboard open(ConfigurableApplicationContext replica, Cohort cohort) {
            Dashboard dashboard = new Dashboard(replica, cohort);
            dashboard.waitFor("ready", Duration.ofSeconds(5));
            return dashboard;
        }

        private void read(HttpRequest request) {
            try {
                HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
                lines = response.body();
                String name = null;
                List<String> data = new ArrayList<>();
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data.add(line.substring(5));
                    } else if (line.isEmpty() && name != null) {
                        events.add(new Event(name, String.join("\n", data), System.nanoTime()));
                        name = null;
                        data.clear();
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException closed) {
                // the test is over
            }
        }

        Event waitFor(String name, Duration within) {
            await().atMost(within).pollInterval(Duration.ofMillis(5)).until(() -> count(name) > 0);
            return events(name).get(events(name).size() - 1);
        }

        List<Event> events(String name) {
            return events.stream().filter(e -> e.name().equals(name)).toList();
        }

        int count(String name) {
            return events(name).size();
        }

        @Override
        public void close() {
            if (lines != null) {
                lines.close();
            }
            reader.interrupt();
        }
    }
}
