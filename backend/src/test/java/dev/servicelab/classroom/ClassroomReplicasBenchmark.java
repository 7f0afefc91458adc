package dev.servicelab.classroom;

import dev.servicelab.terminal.TerminalClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A class at work against a running stack of two platform replicas behind a round-robin proxy
 * (docker-compose.replicas.yml, driven by bench/classroom-replicas.sh), everything through the
 * proxy as browsers would: each learner signs in with the form (a session cookie, no affinity),
 * joins the instructor's cohort, opens {@code clusterip}, keeps a terminal socket, runs a command
 * every 10 s and a check every 30 s for a few minutes, then ends the cluster; an instructor's
 * dashboard stream follows the checks. Once half the class has a ready cluster, one replica is
 * killed ({@code bench.kill-command}). Printed: time to a ready cluster, check latency, dashboard
 * event lag, each replica's heap (its own port's actuator), and what the kill cost: failed
 * requests and for how long, sign-outs, lost attempts, sandboxes no longer the learner's,
 * terminal reconnects. Nothing is asserted on time; errors fail the run.
 */
class ClassroomReplicasBenchmark {

    private static final String LAB = "clusterip";
    private static final String BASE = System.getProperty("bench.base-url", "http://localhost:8000");
    private static final String ADMIN_PASSWORD = System.getProperty("bench.admin-password", "");
    private static final int LEARNERS = Integer.getInteger("bench.learners", 30);
    private static final Duration WORK = Duration.ofSeconds(Long.getLong("bench.work-seconds", 120));
    private static final String MAX_TOTAL = System.getProperty("bench.max-total", "8");
    /** {@code name=url,...}: each replica's own address, for its heap. */
    private static final String REPLICAS = System.getProperty("bench.replicas", "");
    private static final String KILL_COMMAND = System.getProperty("bench.kill-command", "");
    private static final String KILLED = System.getProperty("bench.kill-replica", "b");
    private static final int KILL_AFTER_READY = Integer.getInteger("bench.kill-after-ready", Math.max(1, LEARNERS / 2));
    private static final Duration READY_WITHIN = Duration.ofMinutes(25);
    private static final String PASSWORD = "classroom-bench-" + Long.toHexString(System.nanoTime());
    private static final String RUN = Long.toString(System.currentTimeMillis() % 100000, 36);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** A request that got no answer from the platform (connection failure, the proxy's 502/503/504). */
    record Failure(long atNanos, String learner, String request, int status) {
    }

    /** A check answered by the platform: when it was sent and answered. */
    record Check(String learner, long sentNanos, long answeredNanos) {
    }

    record Outcome(String learner, long readyMillis, int position, String sandboxBefore, String sandboxAfter,
            int answeredChecks, int recordedAttempts, boolean terminalWorks) {
    }

    private final long start = System.nanoTime();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Set<String> signedOut = ConcurrentHashMap.newKeySet();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger capacityAnswers = new AtomicInteger();
    private final AtomicInteger reRequested = new AtomicInteger();
    private final AtomicInteger terminalReconnects = new AtomicInteger();
    private final List<Long> reconnectMillis = new CopyOnWriteArrayList<>();
    private final AtomicLong killedAt = new AtomicLong(-1);
    private final Map<String, List<Double>> heapMiB = new ConcurrentHashMap<>();

    @Test
    void measure() throws Exception {
        Map<String, String> replicas = new LinkedHashMap<>();
        for (String pair : REPLICAS.split(",")) {
            if (pair.contains("=")) {
                replicas.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        String admin = basic("admin", ADMIN_PASSWORD);
        String instructor = "teacher-" + RUN;
        createAccount(admin, instructor, "INSTRUCTOR");
        JsonNode cohort = JSON.readTree(send(HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cohorts"))
                .header("Authorization", basic(instructor, PASSWORD)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench " + RUN + "\",\"labs\":[{\"labId\":\"" + LAB + "\"}]}")),
                201).body());
        List<String> learners = new ArrayList<>();
        for (int i = 0; i < LEARNERS; i++) {
            learners.add("learner-" + RUN + "-" + i);
            createAccount(admin, learners.get(i), "LEARNER");
        }

        var sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> replicas.forEach((name, url) -> sampleHeap(name, url, admin)), 0, 5, TimeUnit.SECONDS);
        Dashboard dashboard = new Dashboard(BASE + "/instructor/cohorts/" + cohort.path("id").asLong() + "/events",
                basic(instructor, PASSWORD));
        Thread killer = new Thread(this::killHalfway, "replica-killer");
        killer.start();

        ExecutorService pool = Executors.newFixedThreadPool(LEARNERS);
        List<Future<?>> running = new ArrayList<>();
        for (String learner : learners) {
            running.add(pool.submit(() -> {
                try {
                    learn(learner, cohort.path("joinCode").asString());
                } catch (Exception e) {
                    errors.add(learner + ": " + e);
                }
            }));
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.MINUTES);
        }
        pool.shutdownNow();
        killer.interrupt();
        sampler.shutdownNow();
        dashboard.close();
        report(replicas, dashboard);
    }

    private void learn(String learner, String joinCode) throws Exception {
        Browser browser = new Browser(learner);
        browser.signIn(learner);
        browser.call("POST", "/api/v1/cohorts/join", "{\"code\":\"" + joinCode + "\"}", true);
        browser.call("POST", "/api/v1/labs/" + LAB + "/enrolment", "", true);
        int position = 0;
        String sandbox = null;
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        int requests = 0;
        while (sandbox == null) {
            if (requests++ > 2) {
                throw new IllegalStateException("asked for a sandbox three times without getting one");
            }
            if (requests > 1) {
                reRequested.incrementAndGet();
            }
            Response acquired = browser.call("POST", "/api/v1/labs/" + LAB + "/sandbox", "", true);
            if (acquired.status() == 503 && acquired.body().contains("sandbox-capacity")) {
                capacityAnswers.incrementAndGet(); // expected never: the queue takes them
                TimeUnit.SECONDS.sleep(30);
                continue;
            }
            if (acquired.status() != 202 && acquired.status() != 200) {
                throw new IllegalStateException("sandbox request answered " + acquired.status() + ": " + acquired.body());
            }
            while (System.nanoTime() < deadline) {
                JsonNode view = browser.call("GET", "/api/v1/labs/" + LAB + "/sandbox", null, true).json();
                String state = view.path("state").asString();
                if ("QUEUED".equals(state) && position == 0) {
                    position = view.path("queuePosition").asInt();
                }
                if ("READY".equals(state)) {
                    sandbox = view.path("sandboxId").asString();
                    break;
                }
                if (Stream.of("FAILED", "DEAD", "DELETED", "NONE").anyMatch(state::equals)) {
                    // As the lab page offers: ask again (a start lost with the killed replica lands here).
                    errors.add(learner + ": sandbox " + state + " (" + view.path("message").asString() + "), asking again");
                    break;
                }
                TimeUnit.SECONDS.sleep(1); // a lab page's polling pace
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("no ready sandbox within " + READY_WITHIN);
            }
        }
        long readyMillis = (System.nanoTime() - start) / 1_000_000;
        ready.incrementAndGet();
        String step = browser.call("GET", "/api/v1/labs/" + LAB + "/progress", null, true).json()
                .path("steps").get(0).path("stepId").asString();

        TerminalClient terminal = browser.terminal(-1);
        terminal.awaitStarted(Duration.ofSeconds(30));
        int answered = 0;
        long until = System.nanoTime() + WORK.toNanos();
        for (int tick = 0; System.nanoTime() < until; tick++) {
            browser.call("GET", "/api/v1/me", null, true);
            terminal = reconnectIfClosed(browser, terminal);
            terminal.type("kubectl get pods -A\r");
            if (tick % 3 == 0) {
                long sent = System.nanoTime();
                Response check = browser.call("POST", "/api/v1/labs/" + LAB + "/steps/" + step + "/checks", "", false);
                if (check.status() == 200) {
                    checks.add(new Check(learner, sent, System.nanoTime()));
                    answered++;
                }
            }
            for (int s = 0; s < 10; s++) { // a learner's pace; a closed terminal reconnects within a second, as terminal.js does
                TimeUnit.SECONDS.sleep(1);
                terminal = reconnectIfClosed(browser, terminal);
            }
        }
        String after = browser.call("GET", "/api/v1/labs/" + LAB + "/sandbox", null, true).json().path("sandboxId").asString();
        String mark = "done-" + learner;
        terminal.type("echo " + mark.substring(0, 5) + "\"" + mark.substring(5) + "\"\r"); // the echoed line, not the typed one
        boolean works = terminal.await(mark, Duration.ofSeconds(30));
        terminal.close();
        browser.call("DELETE", "/api/v1/labs/" + LAB + "/sandbox", null, true); // the slot goes to the head of the queue
        int recorded = browser.call("GET", "/api/v1/labs/" + LAB + "/attempts", null, true).json().size();
        browser.call("GET", "/api/v1/me", null, true);
        outcomes.put(learner, new Outcome(learner, readyMillis, position, sandbox, after, answered, recorded, works));
    }

    private TerminalClient reconnectIfClosed(Browser browser, TerminalClient terminal) throws InterruptedException {
        if (terminal.ended == null) {
            return terminal;
        }
        long t = System.nanoTime();
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                TerminalClient again = browser.terminal(terminal.seq.get());
                terminalReconnects.incrementAndGet();
                reconnectMillis.add((System.nanoTime() - t) / 1_000_000);
                return again;
            } catch (RuntimeException e) {
                failures.add(new Failure(System.nanoTime(), browser.learner, "terminal socket", 0));
                TimeUnit.SECONDS.sleep(1);
            }
        }
        throw new IllegalStateException("the terminal did not reconnect within a minute: " + terminal.describe());
    }

    private void killHalfway() {
        try {
            while (ready.get() < KILL_AFTER_READY) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            if (KILL_COMMAND.isBlank()) {
                return;
            }
            killedAt.set(System.nanoTime());
            Process kill = new ProcessBuilder("sh", "-c", KILL_COMMAND).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                errors.add("the kill command failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            errors.add("the kill command failed: " + e);
        }
    }

    private void sampleHeap(String name, String url, String admin) {
        if (name.equals(KILLED) && killedAt.get() >= 0) {
            return;
        }
        try {
            HttpResponse<String> metric = HTTP.send(HttpRequest.newBuilder(URI.create(url
                    + "/actuator/metrics/jvm.memory.used?tag=area:heap")).header("Authorization", admin)
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (metric.statusCode() == 200) {
                double bytes = JSON.readTree(metric.body()).path("measurements").get(0).path("value").asDouble();
                heapMiB.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(bytes / 1048576.0);
            }
        } catch (IOException | RuntimeException e) {
            // a replica being killed: no sample
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(Map<String, String> replicas, Dashboard dashboard) throws IOException {
        List<String> report = new ArrayList<>();
        List<Long> readyMillis = outcomes.values().stream().map(Outcome::readyMillis).sorted().toList();
        long queued = outcomes.values().stream().filter(o -> o.position() > 0).count();
        report.add(String.format("classroom across %d replicas behind a round-robin proxy: %d learners opened %s at once "
                + "(max %s sandboxes in all), worked %d s each and ended their cluster; replica %s killed (%s) once %d had "
                + "a ready cluster", replicas.size(), LEARNERS, LAB, MAX_TOTAL, WORK.toSeconds(), KILLED,
                KILL_COMMAND.isBlank() ? "no kill command" : KILL_COMMAND, KILL_AFTER_READY));
        report.add(String.format("  got a cluster: %d (queued first: %d); told the server is full (capacity problem): %d; "
                + "asked again after a FAILED/DEAD sandbox: %d; errors: %d", readyMillis.size(), queued, capacityAnswers.get(),
                reRequested.get(), errors.size()));
        report.add(String.format("  time to a ready cluster from the start: median %.1f s, p95 %.1f s, max %.1f s", pct(readyMillis, 50)
                / 1000.0, pct(readyMillis, 95) / 1000.0, pct(readyMillis, 100) / 1000.0));
        report.add("  per learner, in order of arrival (s): " + readyMillis.stream().map(ms -> String.format("%.0f", ms / 1000.0)).toList());
        List<Long> latency = new ArrayList<>(checks.stream().map(c -> (c.answeredNanos() - c.sentNanos()) / 1_000_000).toList());
        Collections.sort(latency);
        report.add(String.format("  checks answered: %d, latency median %d ms, p95 %d ms, max %d ms", latency.size(), pct(latency, 50),
                pct(latency, 95), pct(latency, 100)));
        List<Long> lag = new ArrayList<>(dashboard.lags(checks));
        Collections.sort(lag);
        report.add(String.format("  dashboard (one instructor's event stream through the proxy): %d of %d attempts seen, lag from "
                + "the check's answer to the event median %d ms, p95 %d ms, max %d ms (negative: the event came first); "
                + "stream reconnects %d", lag.size(), checks.size(), pct(lag, 50), pct(lag, 95), pct(lag, 100), dashboard.reconnects.get()));
        replicas.keySet().forEach(name -> {
            List<Double> heap = heapMiB.getOrDefault(name, List.of());
            report.add(String.format("  replica %s heap used (actuator jvm.memory.used area=heap, every 5 s%s): median %.0f MiB, "
                    + "max %.0f MiB, %d samples", name, name.equals(KILLED) && killedAt.get() >= 0 ? ", until killed" : "",
                    median(heap), heap.stream().mapToDouble(Double::doubleValue).max().orElse(0), heap.size()));
        });
        long kill = killedAt.get();
        List<Failure> before = failures.stream().filter(f -> kill < 0 || f.atNanos() < kill).toList();
        List<Failure> afterKill = failures.stream().filter(f -> kill >= 0 && f.atNanos() >= kill).toList();
        double lasted = afterKill.stream().mapToLong(Failure::atNanos).max().orElse(kill) / 1e9 - kill / 1e9;
        long working = outcomes.values().stream().filter(o -> kill >= 0 && o.readyMillis() * 1_000_000 + start < kill).count();
        long moved = outcomes.values().stream().filter(o -> !o.sandboxBefore().equals(o.sandboxAfter())).count();
        long lost = outcomes.values().stream().mapToLong(o -> Math.max(0, o.answeredChecks() - o.recordedAttempts())).sum();
        long unanswered = outcomes.values().stream().mapToLong(o -> Math.max(0, o.recordedAttempts() - o.answeredChecks())).sum();
        report.add(String.format("  kill: at %.0f s into the run, %d learners had a cluster then", kill < 0 ? 0 : (kill - start) / 1e9,
                working));
        report.add(String.format("  requests without an answer (connection failed, proxy 502/503/504): %d before the kill, %d after it, "
                + "the last %.1f s after it; %s", before.size(), afterKill.size(), afterKill.isEmpty() ? 0 : lasted,
                afterKill.stream().map(f -> f.request() + " " + f.status()).distinct().limit(6).toList()));
        report.add(String.format("  learners: %d; signed out (a 401 with their session cookie): %d; sandboxes no longer theirs at the "
                + "end of their work: %d; attempts answered %d, recorded %d, lost %d, recorded without an answer %d",
                LEARNERS, signedOut.size(), moved, checks.size(), outcomes.values().stream().mapToInt(Outcome::recordedAttempts).sum(),
                lost, unanswered));
        report.add(String.format("  terminals: %d reconnects (median %d ms, max %d ms to a new socket); terminals answering a "
                + "command at the end: %d of %d", terminalReconnects.get(), pct(sorted(reconnectMillis), 50),
                pct(sorted(reconnectMillis), 100), outcomes.values().stream().filter(Outcome::terminalWorks).count(), outcomes.size()));
        errors.forEach(e -> report.add("  ERROR " + e));
        signedOut.forEach(l -> report.add("  SIGNED OUT " + l));
        String text = String.join("\n", report);
        System.out.println(text);
        Path out = Path.of(System.getProperty("bench.out", "target/classroom-replicas.txt"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n");
        if (!signedOut.isEmpty() || lost > 0 || outcomes.size() < LEARNERS) {
            throw new AssertionError("learners were signed out, lost attempts or got no cluster: see " + out);
        }
    }

    private void createAccount(String admin, String username, String role) {
        send(HttpRequest.newBuilder(URI.create(BASE + "/api/v1/accounts")).header("Authorization", admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username
                        + "\",\"displayName\":\"" + username + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"" + role + "\"}")), 201);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, int expected) {
        try {
            HttpResponse<String> response = HTTP.send(request.header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(request.build().uri() + " answered " + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    record Response(int status, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** One learner's browser: its cookies (the session and the CSRF token) against the proxy. */
    final class Browser {

        private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");
        private final String learner;
        private final Map<String, String> cookies = new ConcurrentHashMap<>();

        Browser(String learner) {
            this.learner = learner;
        }

        void signIn(String username) throws InterruptedException {
            Matcher csrf = CSRF.matcher(call("GET", "/login", null, true).body());
            if (!csrf.find()) {
                throw new IllegalStateException("no sign-in form");
            }
            String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf=" + csrf.group(1);
            Response signedIn = once(HttpRequest.newBuilder(URI.create(BASE + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
            if (signedIn.status() != 302 || !cookies.containsKey("SESSION")) {
                throw new IllegalStateException("signing in answered " + signedIn.status());
            }
            call("GET", "/", null, true); // a page: the new CSRF token cookie the lab page's scripts send back
        }

        TerminalClient terminal(long lastSeq) {
            return TerminalClient.open(URI.create(BASE.replaceFirst("^http", "ws") + "/ws/terminal?lab=" + LAB + "&tab=1"),
                    "Cookie", cookieHeader(), lastSeq);
        }

        /**
         * A request as the learner's page sends it; one without an answer from the platform is
         * recorded, and retried a second later when {@code retry} (what the page's polling does).
         */
        Response call(String method, String path, String json, boolean retry) throws InterruptedException {
            for (int attempt = 0; ; attempt++) {
                var request = HttpRequest.newBuilder(URI.create(BASE + path)).header("Accept", "application/json")
                        .timeout(Duration.ofMinutes(3));
                String token = cookies.get("XSRF-TOKEN");
                if (token != null && !"GET".equals(method)) {
                    request.header("X-XSRF-TOKEN", token);
                }
                if (json != null) {
                    request.header("Content-Type", "application/json");
                }
                request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
                Response response = once(request);
                boolean unanswered = response.status() == 0 || response.status() == 502 || response.status() == 504
                        || (response.status() == 503 && !response.body().contains("/problems/"));
                if (!unanswered) {
                    if (response.status() == 401 || (response.status() == 302 && !path.equals("/login"))) {
                        signedOut.add(learner);
                    }
                    return response;
                }
                failures.add(new Failure(System.nanoTime(), learner, method + " " + path.replaceAll("learner-[^/]*", "…"),
                        response.status()));
                if (!retry || attempt >= 120) {
                    return response;
                }
                TimeUnit.SECONDS.sleep(1);
            }
        }

        private Response once(HttpRequest.Builder request) throws InterruptedException {
            if (!cookies.isEmpty()) {
                request.header("Cookie", cookieHeader());
            }
            try {
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                for (String header : response.headers().allValues("Set-Cookie")) {
                    String pair = header.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    if (pair.substring(eq + 1).isEmpty()) {
                        cookies.remove(pair.substring(0, eq));
                    } else {
                        cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
                return new Response(response.statusCode(), response.body());
            } catch (IOException e) {
                return new Response(0, e.toString());
            }
        }

        private String cookieHeader() {
            return String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
    }

    /** The instructor's dashboard stream, reopened when it ends (its replica gone), recording attempt events. */
    static final class Dashboard {

        record Attempt(String learner, long receivedNanos) {
        }

        private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
        private final AtomicInteger reconnects = new AtomicInteger(-1);
        private final Thread reader;
        private volatile boolean closed;

        Dashboard(String url, String authorization) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
                    .header("Authorization", authorization).GET().build();
            reader = new Thread(() -> {
                while (!closed) {
                    reconnects.incrementAndGet();
                    read(request);
                    try {
                        TimeUnit.SECONDS.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "dashboard-stream");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(HttpRequest request) {
            try {
                HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
                String name = null;
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:") && "attempt".equals(name)) {
                        attempts.add(new Attempt(JSON.readTree(line.substring(5)).path("username").asString(), System.nanoTime()));
                    } else if (line.isEmpty()) {
                        name = null;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the stream broke: open it again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** For each answered check, its learner's first unclaimed attempt event after it was sent: that event's lag behind the answer. */
        List<Long> lags(List<Check> checks) {
            List<Long> lags = new ArrayList<>();
            Set<Attempt> claimed = ConcurrentHashMap.newKeySet();
            checks.stream().sorted(java.util.Comparator.comparingLong(Check::sentNanos)).forEach(check -> attempts.stream()
                    .filter(a -> a.learner().equals(check.learner()) && a.receivedNanos() >= check.sentNanos() && !claimed.contains(a))
                    .findFirst().ifPresent(a -> {
                        claimed.add(a);
                        lags.add((a.receivedNanos() - check.answeredNanos()) / 1_000_000);
                    }));
            return lags;
        }

        void close() {
            closed = true;
            reader.interrupt();
        }
    }
}
