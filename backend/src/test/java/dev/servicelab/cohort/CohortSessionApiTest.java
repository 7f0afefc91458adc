package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Instructors schedule, list and cancel a cohort's sessions; refusals are problem details saying what to change. */
class CohortSessionApiTest extends CohortTestSupport {

    private static String session(String labId, Instant startsAt) {
        return "{\"labId\":\"" + labId + "\",\"startsAt\":\"" + startsAt + "\"}";
    }

    private static Instant tomorrow() {
        return Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    }

    @Test
    void anInstructorSchedulesASessionAndSeesItsPreWarmWindow() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Instant start = tomorrow();
        Response created = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/sessions", session("clusterip", start));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("labId").asString()).isEqualTo("clusterip");
        assertThat(Instant.parse(created.json().get("startsAt").asString())).isEqualTo(start);
        assertThat(Instant.parse(created.json().get("prewarmFrom").asString())).as("the default lead, 10 minutes")
                .isEqualTo(start.minus(Duration.ofMinutes(10)));
        assertThat(Instant.parse(created.json().get("prewarmUntil").asString())).isEqualTo(start.plus(Duration.ofMinutes(10)));

        JsonNode listed = instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/sessions").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asLong()).isEqualTo(created.json().get("id").asLong());
    }

    @Test
    void sessionsAreListedEarliestFirst() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip", "nodeport");
        String path = "/api/v1/cohorts/" + id(cohort) + "/sessions";
        instructorApi(teacher).post(path, session("nodeport", tomorrow().plus(Duration.ofDays(7))));
        instructorApi(teacher).post(path, session("clusterip", tomorrow()));
        JsonNode listed = instructorApi(teacher).get(path).json();
        assertThat(listed.get(0).get("labId").asString()).isEqualTo("clusterip");
        assertThat(listed.get(1).get("labId").asString()).isEqualTo("nodeport");
    }

    @Test
    void aSessionInThePastIsA400() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/sessions",
                session("clusterip", Instant.now().minus(Duration.ofMinutes(1))));
        assertProblem(response, 400, "/problems/invalid-session");
        assertThat(response.json().get("detail").asString()).contains("in the future");
    }

    @Test
    void aSessionWithoutAStartIsA400() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/sessions", "{\"labId\":\"clusterip\"}");
        assertProblem(response, 400, "/problems/invalid-session");
        assertThat(response.json().get("detail").asString()).contains("startsAt");
    }

    @Test
    void aSessionOfAnUnknownLabIsA400NamingTheCohortsLabs() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/sessions", session("nope", tomorrow()));
        assertProblem(response, 400, "/problems/invalid-session");
        assertThat(response.json().get("detail").asString()).contains("nope").contains("clusterip");
    }

    @Test
    void aSessionOfALabOutsideTheCohortIsA400() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        Response response = instructorApi(teacher).post("/api/v1/cohorts/" + id(cohort) + "/sessions",
                session("nodeport", tomorrow()));
        assertProblem(response, 400, "/problems/invalid-session");
        assertThat(response.json().get("detail").asString()).contains("not one of the cohort's labs");
    }

    @Test
    void anInstructorCancelsASession() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String path = "/api/v1/cohorts/" + id(cohort) + "/sessions";
        long session = instructorApi(teacher).post(path, session("clusterip", tomorrow())).json().get("id").asLong();
        assertThat(instructorApi(teacher).delete(path + "/" + session).status()).isEqualTo(204);
        assertThat(instructorApi(teacher).get(path).json()).isEmpty();
        assertProblem(instructorApi(teacher).delete(path + "/" + session), 404, "/problems/session-not-found");
    }

    @Test
    void anotherInstructorCannotScheduleInMyCohort() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        Response response = instructorApi(newInstructor()).post("/api/v1/cohorts/" + id(cohort) + "/sessions",
                session("clusterip", tomorrow()));
        assertProblem(response, 404, "/problems/cohort-not-found");
    }

    @Test
    void aLearnerCannotScheduleASession() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        Response response = learnerApi(newLearner()).post("/api/v1/cohorts/" + id(cohort) + "/sessions",
                session("clusterip", tomorrow()));
        assertProblem(response, 403, "/problems/forbidden");
    }
}
