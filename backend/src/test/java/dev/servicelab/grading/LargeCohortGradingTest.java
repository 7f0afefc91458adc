package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient;
import dev.servicelab.cohort.CohortTestSupport;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * A cohort of 1,000 generated learners (inserted in JDBC batches): the grading API pages and filters
 * them in SQL, correctly, and prints how long a page takes. Learner {@code i} is made by fixed rules:
 *
 * <ul>
 * <li>every tenth (i % 10 == 0) never started clusterip; the others did, the odd ones an hour ago,
 * the even ones in 2020 (so "active since yesterday" is exactly the 500 odd ones);
 * <li>i % 4 == 1 completed clusterip (250), i % 8 == 1 also nodeport (125, the cohort's both labs);
 * <li>i % 3 == 0 (and started) made two failed check attempts, ten minutes after starting.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeCohortGradingTest extends CohortTestSupport {

    private static final int LEARNERS = 1000;
    private static final Instant OLD = Instant.parse("2020-01-01T09:00:00Z");

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ResultsService results;

    @Autowired
    dev.servicelab.cohort.CohortRepository cohorts;

    private String teacher;
    private long cohortId;
    private List<String> usernames;
    private final Instant recent = Instant.now().minus(1, ChronoUnit.HOURS);

    @BeforeAll
    void generateTheCohort() {
        teacher = newInstructor();
        cohortId = id(instructorApi(teacher).post("/api/v1/cohorts",
                "{\"name\":\"Large\",\"labs\":[{\"labId\":\"clusterip\"},{\"labId\":\"nodeport\"}]}").json());
        String prefix = "bulk-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        usernames = IntStream.range(0, LEARNERS).mapToObj(i -> prefix + "%04d".formatted(i)).toList();
        long started = System.nanoTime();

        jdbc.batchUpdate("insert into account (username, display_name, password_hash, role) values (?, ?, '{noop}x', 'LEARNER')",
                usernames.stream().map(u -> new Object[] {u, "Learner " + u}).toList());
        List<Long> ids = jdbc.queryForList("select id from account where username like ? order by username", Long.class, prefix + "%");
        jdbc.batchUpdate("insert into cohort_member (cohort_id, account_id) values (?, ?)",
                ids.stream().map(id -> new Object[] {cohortId, id}).toList());

        List<Object[]> enrolments = new ArrayList<>();
        List<Object[]> steps = new ArrayList<>();
        List<Object[]> attempts = new ArrayList<>();
        List<String> clusterip = steps("clusterip");
        List<String> nodeport = steps("nodeport");
        for (int i = 0; i < LEARNERS; i++) {
            if (i % 10 == 0) {
                continue;
            }
            long id = ids.get(i);
            Instant start = i % 2 == 1 ? recent : OLD;
            enrol(enrolments, steps, id, "clusterip", clusterip, start, i % 4 == 1);
            if (i % 8 == 1) {
                enrol(enrolments, steps, id, "nodeport", nodeport, start, true);
            }
            if (i % 3 == 0) {
                for (int n = 0; n < 2; n++) {
                    attempts.add(new Object[] {id, clusterip.get(0), ts(start.plus(10, ChronoUnit.MINUTES))});
                }
            }
        }
        jdbc.batchUpdate("insert into lab_enrolment (account_id, lab_id, started_at, completed_at) values (?, ?, ?, ?)", enrolments);
        jdbc.batchUpdate("""
                insert into step_progress (account_id, lab_id, step_id, status, started_at, passed_at) values (?, ?, ?, ?, ?, ?)""", steps);
        jdbc.batchUpdate("""
                insert into check_attempt (account_id, lab_id, step_id, passed, message, results, duration_ms, created_at)
                values (?, 'clusterip', ?, false, 'Service web selects no Pods', '[]', 12, ?)""", attempts);
        jdbc.execute("analyze");
        System.out.printf("Generated %d learners (%d enrolments, %d steps, %d attempts) in %d ms%n", LEARNERS, enrolments.size(),
                steps.size(), attempts.size(), (System.nanoTime() - started) / 1_000_000);
    }

    private static void enrol(List<Object[]> enrolments, List<Object[]> steps, long id, String lab, List<String> labSteps,
            Instant start, boolean complete) {
        Instant done = start.plus(30, ChronoUnit.MINUTES);
        enrolments.add(new Object[] {id, lab, ts(start), complete ? ts(done) : null});
        if (complete) {
            labSteps.forEach(step -> steps.add(new Object[] {id, lab, step, "PASSED", ts(start), ts(done)}));
        } else {
            steps.add(new Object[] {id, lab, labSteps.get(0), "IN_PROGRESS", ts(start), null});
        }
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private JsonNode get(String query) {
        ApiClient.Response response = instructorApi(teacher).get("/api/v1/cohorts/" + cohortId + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get("username").asString()));
        return names;
    }

    @Test
    void everyLearnerIsOnExactlyOnePageInUsernameOrder() {
        List<String> seen = new ArrayList<>();
        for (int page = 0; page < 5; page++) {
            JsonNode body = get("/results?size=200&page=" + page);
            assertThat(body.get("totalItems").asInt()).isEqualTo(LEARNERS);
            assertThat(body.get("totalPages").asInt()).isEqualTo(5);
            assertThat(body.get("page").asInt()).isEqualTo(page);
            seen.addAll(names(body));
        }
        assertThat(seen).isEqualTo(usernames);
    }

    @Test
    void aPagePastTheEndIsEmptyButCountsTheLearners() {
        JsonNode body = get("/results?size=200&page=7");
        assertThat(body.get("items").size()).isZero();
        assertThat(body.get("totalItems").asInt()).isEqualTo(LEARNERS);
        assertThat(body.get("totalPages").asInt()).isEqualTo(5);
    }

    @Test
    void completedMeansEveryCountedLabIsComplete() {
        JsonNode both = get("/results?completed=true&size=200");
        assertThat(both.get("totalItems").asInt()).isEqualTo(125);
        assertThat(names(both)).isEqualTo(pick(i -> i % 8 == 1));
        both.get("items").forEach(item -> assertThat(item.get("completed").asBoolean()).isTrue());

        assertThat(get("/results?completed=false").get("totalItems").asInt()).isEqualTo(LEARNERS - 125);
        JsonNode clusterip = get("/results?lab=clusterip&completed=true&size=200&page=1");
        assertThat(clusterip.get("totalItems").asInt()).isEqualTo(250);
        assertThat(names(clusterip)).isEqualTo(pick(i -> i % 4 == 1).subList(200, 250));
        clusterip.get("items").forEach(item -> {
            assertThat(item.get("labs").size()).as("only the lab asked for counts").isEqualTo(1);
            assertThat(item.get("score").asDouble()).isEqualTo(100.0);
        });
    }

    @Test
    void sinceKeepsOnlyLearnersActiveSinceThen() {
        String yesterday = Instant.now().minus(1, ChronoUnit.DAYS).toString();
        JsonNode active = get("/results?size=200&since=" + yesterday);
        assertThat(active.get("totalItems").asInt()).isEqualTo(500);
        assertThat(names(active)).isEqualTo(pick(i -> i % 2 == 1).subList(0, 200));
        assertThat(get("/results?completed=true&since=" + yesterday).get("totalItems").asInt()).isEqualTo(125);
        // Attempts count as activity: the 2020 learners with attempts (i % 6 == 0, started) made them at 09:10.
        assertThat(get("/results?since=2020-01-01T09:05:00Z&lab=clusterip").get("totalItems").asInt())
                .isEqualTo(pick(i -> i % 2 == 1 || i % 6 == 0 && i % 10 != 0).size());
    }

    @Test
    void labResultsArePagedAndFilteredTheSameWay() {
        JsonNode page = get("/labs/nodeport/results?completed=true&size=50&page=2");
        assertThat(page.get("totalItems").asInt()).isEqualTo(125);
        assertThat(page.get("totalPages").asInt()).isEqualTo(3);
        assertThat(names(page)).isEqualTo(pick(i -> i % 8 == 1).subList(100, 125));
        page.get("items").forEach(item -> {
            assertThat(item.get("labId").asString()).isEqualTo("nodeport");
            assertThat(item.get("completed").asBoolean()).isTrue();
        });
        assertThat(get("/labs/nodeport/results?completed=false").get("totalItems").asInt()).isEqualTo(LEARNERS - 125);
    }

    @Test
    void theOpenApiDescriptionShowsThePagingParametersAndThePageMetadata() {
        JsonNode docs = anonymousApi().get("/v3/api-docs").json();
        for (String path : List.of("/api/v1/cohorts/{id}/results", "/api/v1/cohorts/{id}/labs/{labId}/results")) {
            JsonNode get = docs.get("paths").get(path).get("get");
            List<String> parameters = new ArrayList<>();
            get.get("parameters").forEach(p -> {
                if (p.get("in").asString().equals("query")) {
                    parameters.add(p.get("name").asString());
                    assertThat(p.has("description")).as(path + " " + p.get("name")).isTrue();
                }
            });
            assertThat(parameters).contains("page", "size", "completed", "since");
            String ref = get.get("responses").get("200").get("content").iterator().next().get("schema").get("$ref").asString();
            JsonNode page = docs.get("components").get("schemas").get(ref.substring(ref.lastIndexOf('/') + 1));
            assertThat(page.get("properties").propertyNames()).contains("items", "page", "size", "totalItems", "totalPages");
            assertThat(page.get("properties").get("totalItems").get("description").asString()).contains("over all pages");
        }
    }

    /**
     * Prints the time of each kind of page, in the service (the SQL and the results of one page) and
     * through the API (plus HTTP, and Basic auth's deliberately slow password hash), next to loading
     * the whole cohort as before. Figures to watch, not pass marks: the machine is shared.
     */
    @Test
    void eachKindOfPageAnswersAFullPageAndPrintsItsTime() {
        var cohort = cohorts.find(cohortId).orElseThrow();
        String yesterday = Instant.now().minus(1, ChronoUnit.DAYS).toString();
        System.out.printf("Grading, cohort of %d learners, whole cohort in memory (the dashboard's way): median %d ms%n",
                LEARNERS, median(() -> assertThat(results.results(cohort)).hasSize(LEARNERS)));
        for (String[] q : List.of(new String[] {"0", "50", null, null, null}, new String[] {"19", "50", null, null, null},
                new String[] {"0", "200", null, null, null}, new String[] {"0", "50", null, "true", null},
                new String[] {"0", "50", null, null, yesterday}, new String[] {"0", "50", "clusterip", "false", null})) {
            ResultQuery query = ResultQuery.parse(cohort, q[0], q[1], q[2], q[3], q[4]);
            String api = "/results?page=" + q[0] + "&size=" + q[1] + (q[2] == null ? "" : "&lab=" + q[2])
                    + (q[3] == null ? "" : "&completed=" + q[3]) + (q[4] == null ? "" : "&since=" + q[4]);
            long service = median(() -> assertThat(results.page(cohort, query).items()).hasSize(query.size()));
            long http = median(() -> assertThat(get(api).get("items").size()).isEqualTo(query.size()));
            System.out.printf("Grading, cohort of %d learners, %s: service median %d ms, API median %d ms%n", LEARNERS,
                    api.replace(yesterday, "<yesterday>"), service, http);
        }
    }

    /** Median of 7 runs, in milliseconds. */
    private static long median(Runnable run) {
        long[] millis = new long[7];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            run.run();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis[3];
    }

    private List<String> pick(java.util.function.IntPredicate rule) {
        return IntStream.range(0, LEARNERS).filter(rule).mapToObj(usernames::get).toList();
    }
}
