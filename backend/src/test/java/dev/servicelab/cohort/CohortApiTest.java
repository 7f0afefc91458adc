package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Instructors create, change and archive cohorts; learners join them with the code. */
class CohortApiTest extends CohortTestSupport {

    @Test
    void anInstructorCreatesACohortWithLabsScheduleAndAJoinCode() {
        String teacher = newInstructor();
        Response response = instructorApi(teacher).post("/api/v1/cohorts", """
                {"name": "Spring term", "opensAt": "2025-03-01T08:00:00Z", "closesAt": "2099-06-30T22:00:00Z",
                 "labs": [{"labId": "why-services"}, {"labId": "clusterip", "dueAt": "2099-03-15T22:00:00Z", "weight": 2}]}""");
        assertThat(response.status()).isEqualTo(201);
        JsonNode cohort = response.json();
        assertThat(cohort.get("joinCode").asString()).matches("[A-Z2-9]{8}");
        assertThat(cohort.get("labs").get(1).get("labId").asString()).isEqualTo("clusterip");
        assertThat(cohort.get("labs").get(1).get("weight").asDouble()).isEqualTo(2.0);
        assertThat(cohort.get("labs").get(1).get("dueAt").asString()).isEqualTo("2099-03-15T22:00:00Z");
        assertThat(instructorApi(teacher).get("/api/v1/cohorts").json().get(0).get("id").asLong()).isEqualTo(id(cohort));
    }

    @Test
    void aCohortWithAnUnknownLabIsA400ListingTheLabs() {
        Response response = instructorApi(newInstructor()).post("/api/v1/cohorts", "{\"name\":\"x\",\"labs\":[{\"labId\":\"nope\"}]}");
        assertProblem(response, 400, "/problems/invalid-cohort");
        assertThat(response.json().get("detail").asString()).contains("nope").contains("clusterip");
    }

    @Test
    void aCohortThatClosesBeforeItOpensIsA400() {
        Response response = instructorApi(newInstructor()).post("/api/v1/cohorts", """
                {"name":"x","opensAt":"2025-03-01T00:00:00Z","closesAt":"2025-02-01T00:00:00Z","labs":[{"labId":"clusterip"}]}""");
        assertProblem(response, 400, "/problems/invalid-cohort");
    }

    @Test
    void aLearnerCannotCreateACohort() {
        Response response = learnerApi(newLearner()).post("/api/v1/cohorts", "{\"name\":\"x\",\"labs\":[{\"labId\":\"clusterip\"}]}");
        assertProblem(response, 403, "/problems/forbidden");
    }

    @Test
    void anotherInstructorsCohortIsA404() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        Response response = instructorApi(newInstructor()).get("/api/v1/cohorts/" + id(cohort));
        assertProblem(response, 404, "/problems/cohort-not-found");
        assertThat(response.json().get("detail").asString()).contains("GET /api/v1/cohorts");
    }

    @Test
    void anInstructorChangesTheCohortsLabs() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).put("/api/v1/cohorts/" + id(cohort),
                "{\"name\":\"Renamed\",\"labs\":[{\"labId\":\"nodeport\"},{\"labId\":\"clusterip\"}]}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("name").asString()).isEqualTo("Renamed");
        assertThat(response.json().get("labs").get(0).get("labId").asString()).isEqualTo("nodeport");
        assertThat(response.json().get("joinCode").asString()).isEqualTo(cohort.get("joinCode").asString());
    }

    @Test
    void aLearnerJoinsWithTheCodeAndSeesTheCohortsLabs() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip", "nodeport");
        String learner = newLearner();
        Response joined = learnerApi(learner).post("/api/v1/cohorts/join",
                "{\"code\":\"" + cohort.get("joinCode").asString().toLowerCase() + "\"}");
        assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        JsonNode mine = learnerApi(learner).get("/api/v1/me/cohorts").json();
        assertThat(mine.get(0).get("id").asLong()).isEqualTo(id(cohort));
        assertThat(mine.get(0).get("labs").get(1).get("labId").asString()).isEqualTo("nodeport");
    }

    @Test
    void joiningWithAWrongCodeIsA404ThatSaysToAskTheInstructor() {
        Response response = learnerApi(newLearner()).post("/api/v1/cohorts/join", "{\"code\":\"NOPE2345\"}");
        assertProblem(response, 404, "/problems/cohort-not-found");
        assertThat(response.json().get("detail").asString()).contains("instructor");
    }

    @Test
    void anArchivedCohortTakesNoNewMembers() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response archived = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/archive", null);
        assertThat(archived.json().get("archivedAt").isNull()).isFalse();
        Response response = learnerApi(newLearner()).post("/api/v1/cohorts/join",
                "{\"code\":\"" + cohort.get("joinCode").asString() + "\"}");
        assertProblem(response, 409, "/problems/cohort-archived");
    }

    @Test
    void anotherInstructorCannotArchiveTheCohort() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        assertProblem(instructorApi(newInstructor()).post("/api/v1/cohorts/" + id(cohort) + "/archive", null), 404,
                "/problems/cohort-not-found");
    }

    @Test
    void theInstructorListsTheCohortsLearners() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        JsonNode learners = instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/learners").json();
        assertThat(learners.get(0).get("username").asString()).isEqualTo(learner);
    }

    @Test
    void extendingASandboxTheLearnerDoesNotHaveIsA404() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/learners/" + learner
                + "/sandboxes/sb-nope/extend", null);
        assertProblem(response, 404, "/problems/sandbox-not-found");
    }

    @Test
    void endingASandboxThatAlreadyExpiredIsA409ThatSaysTheLearnerStartsAFreshOne() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        String sandboxId = expiredSandbox(learner, "clusterip");
        Response response = instructorApi(teacher).delete("/api/v1/cohorts/" + id(cohort) + "/learners/" + learner
                + "/sandboxes/" + sandboxId);
        assertProblem(response, 409, "/problems/sandbox-not-running");
        assertThat(response.json().get("detail").asString()).contains("fresh one");
        JsonNode listed = instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/learners/" + learner + "/sandboxes").json();
        assertThat(listed.get(0).get("state").asString()).isEqualTo("EXPIRED");
    }

    @Test
    void anotherInstructorCannotResetALearnersSandbox() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        String sandboxId = expiredSandbox(learner, "clusterip");
        Response response = instructorApi(newInstructor()).post("/api/v1/cohorts/" + id(cohort) + "/learners/" + learner
                + "/sandboxes/" + sandboxId + "/reset", null);
        assertProblem(response, 404, "/problems/cohort-not-found");
    }

    @Test
    void aLearnerCannotResetSandboxes() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        Response response = learnerApi(learner).post("/api/v1/cohorts/" + id(cohort) + "/learners/" + learner
                + "/sandboxes/x/reset", null);
        assertProblem(response, 403, "/problems/forbidden");
    }

    @Test
    void theCohortsSandboxesSayEachMembersStateInWords() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String ada = newLearner();
        String bob = newLearner();
        join(ada, cohort);
        join(bob, cohort);
        jdbc.sql("""
                insert into sandbox (id, owner, lab_id, nodes, state, phase, created_at, last_active_at)
                values (?, ?, 'clusterip', 1, 'FROZEN', 'READY', now(), now())""")
                .params("sb-test-" + java.util.UUID.randomUUID().toString().substring(0, 8), ada).update();

        JsonNode members = instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/sandboxes").json();
        JsonNode adas = java.util.stream.StreamSupport.stream(members.spliterator(), false)
                .filter(m -> m.get("username").asString().equals(ada)).findFirst().orElseThrow();
        assertThat(adas.get("sandboxes").get(0).get("state").asString()).isEqualTo("FROZEN");
        assertThat(adas.get("sandboxes").get(0).get("status").asString()).isEqualTo("paused, wakes in a second");
        JsonNode bobs = java.util.stream.StreamSupport.stream(members.spliterator(), false)
                .filter(m -> m.get("username").asString().equals(bob)).findFirst().orElseThrow();
        assertThat(bobs.get("sandboxes")).as("bob has none yet").isEmpty();
    }

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    /** A sandbox row as the platform leaves one that ran out of time (no container: tests start none). */
    private String expiredSandbox(String owner, String labId) {
        String id = "sb-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("""
                insert into sandbox (id, owner, lab_id, nodes, state, phase, message, created_at, last_active_at)
                values (?, ?, ?, 1, 'EXPIRED', 'READY', 'Removed after reaching its time limit.', now(), now())""")
                .params(id, owner, labId).update();
        return id;
    }
}
