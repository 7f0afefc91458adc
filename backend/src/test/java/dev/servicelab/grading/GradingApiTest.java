package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient.Response;
import dev.servicelab.cohort.CohortTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Results per cohort, learner and lab: scores, completion, paging, filters, and who may read them. */
class GradingApiTest extends CohortTestSupport {

    /** A cohort of two labs (nodeport weighs 3) with one learner done with clusterip and one who has not started. */
    private record Fixture(String teacher, long cohortId, String finisher, String idler) {
    }

    private Fixture fixture() {
        String teacher = newInstructor();
        Response created = instructorApi(teacher).post("/api/v1/cohorts",
                "{\"name\":\"Graded\",\"labs\":[{\"labId\":\"clusterip\"},{\"labId\":\"nodeport\",\"weight\":3}]}");
        JsonNode cohort = created.json();
        String finisher = newLearner();
        String idler = newLearner();
        join(finisher, cohort);
        join(idler, cohort);
        passAll(finisher, "clusterip");
        return new Fixture(teacher, id(cohort), finisher, idler);
    }

    @Test
    void cohortResultsScoreEachLabByItsStepsAndTheCohortByLabWeights() {
        Fixture f = fixture();
        JsonNode page = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results").json();
        assertThat(page.get("totalItems").asInt()).isEqualTo(2);
        JsonNode finisher = learner(page, f.finisher());
        JsonNode clusterip = finisher.get("labs").get(0);
        assertThat(clusterip.get("completed").asBoolean()).isTrue();
        assertThat(clusterip.get("score").asDouble()).isEqualTo(100.0);
        assertThat(clusterip.get("completedAt").isNull()).isFalse();
        assertThat(clusterip.get("steps").get(0).get("status").asString()).isEqualTo("PASSED");
        // clusterip (weight 1) done, nodeport (weight 3) not started: 100 * 1 / 4
        assertThat(finisher.get("score").asDouble()).isEqualTo(25.0);
        assertThat(finisher.get("completed").asBoolean()).isFalse();
        assertThat(learner(page, f.idler()).get("score").asDouble()).isEqualTo(0.0);
    }

    @Test
    void resultsArePagedWithTheTotal() {
        Fixture f = fixture();
        JsonNode page = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?page=1&size=1").json();
        assertThat(page.get("items").size()).isEqualTo(1);
        assertThat(page.get("page").asInt()).isEqualTo(1);
        assertThat(page.get("totalItems").asInt()).isEqualTo(2);
        assertThat(page.get("totalPages").asInt()).isEqualTo(2);
    }

    @Test
    void resultsFilteredByLabAndCompletionCountOnlyThatLab() {
        Fixture f = fixture();
        JsonNode page = instructorApi(f.teacher())
                .get("/api/v1/cohorts/" + f.cohortId() + "/results?lab=clusterip&completed=true").json();
        assertThat(page.get("totalItems").asInt()).isEqualTo(1);
        assertThat(page.get("items").get(0).get("username").asString()).isEqualTo(f.finisher());
        assertThat(page.get("items").get(0).get("score").asDouble()).isEqualTo(100.0);
        assertThat(page.get("items").get(0).get("labs").size()).isEqualTo(1);
    }

    @Test
    void resultsSinceAnInstantLeaveOutLearnersInactiveSince() {
        Fixture f = fixture();
        JsonNode page = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?since=2000-01-01").json();
        assertThat(page.get("totalItems").asInt()).isEqualTo(1);
        assertThat(page.get("items").get(0).get("username").asString()).isEqualTo(f.finisher());
        JsonNode future = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?since=2999-01-01T00:00:00Z").json();
        assertThat(future.get("totalItems").asInt()).isZero();
    }

    @Test
    void aMalformedSinceIsA400NamingTheParameter() {
        Fixture f = fixture();
        Response response = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?since=yesterday");
        assertProblem(response, 400, "/problems/invalid-query");
        assertThat(response.json().get("parameter").asString()).isEqualTo("since");
        assertThat(response.json().get("detail").asString()).contains("2025-03-01T09:00:00Z");
    }

    @Test
    void aPageSizeOutOfRangeIsA400() {
        Fixture f = fixture();
        assertProblem(instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?size=0"), 400,
                "/problems/invalid-query");
    }

    @Test
    void aCompletedFilterThatIsNotABooleanIsA400() {
        Fixture f = fixture();
        assertProblem(instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?completed=maybe"), 400,
                "/problems/invalid-query");
    }

    @Test
    void aLabFilterOutsideTheCohortIsA400ListingItsLabs() {
        Fixture f = fixture();
        Response response = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/results?lab=externalname");
        assertProblem(response, 400, "/problems/invalid-query");
        assertThat(response.json().get("detail").asString()).contains("clusterip", "nodeport");
    }

    @Test
    void anotherInstructorsCohortResultsAreA404() {
        Fixture f = fixture();
        assertProblem(instructorApi(newInstructor()).get("/api/v1/cohorts/" + f.cohortId() + "/results"), 404,
                "/problems/cohort-not-found");
    }

    @Test
    void aLearnerCannotReadTheCohortsResults() {
        Fixture f = fixture();
        assertProblem(learnerApi(f.finisher()).get("/api/v1/cohorts/" + f.cohortId() + "/results"), 403, "/problems/forbidden");
    }

    @Test
    void learnerResultsShowEveryStepWithTimeHintsAndAttempts() {
        Fixture f = fixture();
        JsonNode result = instructorApi(f.teacher())
                .get("/api/v1/cohorts/" + f.cohortId() + "/learners/" + f.finisher() + "/results").json();
        JsonNode step = result.get("labs").get(0).get("steps").get(0);
        assertThat(step.get("passedAt").isNull()).isFalse();
        assertThat(step.get("secondsSpent").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(step.get("hintsUsed").asInt()).isZero();
        assertThat(step.get("attempts").asInt()).isZero();
        assertThat(result.get("labs").get(1).get("steps").get(0).get("status").asString()).isEqualTo("NOT_STARTED");
    }

    @Test
    void aLearnerReadsTheirOwnResults() {
        Fixture f = fixture();
        Response response = learnerApi(f.finisher()).get("/api/v1/cohorts/" + f.cohortId() + "/learners/" + f.finisher() + "/results");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("completedLabs").asInt()).isEqualTo(1);
    }

    @Test
    void aLearnerCannotReadAnotherLearnersResults() {
        Fixture f = fixture();
        Response response = learnerApi(f.idler()).get("/api/v1/cohorts/" + f.cohortId() + "/learners/" + f.finisher() + "/results");
        assertProblem(response, 403, "/problems/forbidden");
        assertThat(response.json().get("detail").asString()).contains(f.idler());
    }

    @Test
    void aLearnerOutsideTheCohortGetsA404ForTheirOwnResults() {
        Fixture f = fixture();
        String outsider = newLearner();
        assertProblem(learnerApi(outsider).get("/api/v1/cohorts/" + f.cohortId() + "/learners/" + outsider + "/results"), 404,
                "/problems/cohort-not-found");
    }

    @Test
    void resultsOfSomeoneOutsideTheCohortAreA404() {
        Fixture f = fixture();
        assertProblem(instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/learners/" + newLearner() + "/results"),
                404, "/problems/learner-not-found");
    }

    @Test
    void labResultsListEveryLearnersResultInThatLab() {
        Fixture f = fixture();
        JsonNode page = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/labs/clusterip/results?completed=false").json();
        assertThat(page.get("totalItems").asInt()).isEqualTo(1);
        assertThat(page.get("items").get(0).get("username").asString()).isEqualTo(f.idler());
        assertThat(page.get("items").get(0).get("labId").asString()).isEqualTo("clusterip");
    }

    @Test
    void labResultsForALabOutsideTheCohortAreA404() {
        Fixture f = fixture();
        assertProblem(instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/labs/externalname/results"), 404,
                "/problems/lab-not-in-cohort");
    }

    @Test
    void analyticsShowCompletionPerStep() {
        Fixture f = fixture();
        JsonNode analytics = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/analytics").json();
        assertThat(analytics.get("learners").asInt()).isEqualTo(2);
        JsonNode first = analytics.get("steps").get(0);
        assertThat(first.get("labId").asString()).isEqualTo("clusterip");
        assertThat(first.get("passed").asInt()).isEqualTo(1);
        assertThat(first.get("completionPercent").asDouble()).isEqualTo(50.0);
        assertThat(analytics.get("stuckLongest").isArray()).isTrue();
    }

    @Test
    void analyticsExportAsCsvWithOneRowPerStep() {
        Fixture f = fixture();
        Response csv = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/analytics.csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).startsWith("lab,step,title,learners,started,passed,completion_percent");
        assertThat(lines).hasSize(1 + steps("clusterip").size() + steps("nodeport").size());
        assertThat(lines[1]).startsWith("clusterip," + steps("clusterip").get(0) + ",");
    }

    @Test
    void commonFailuresCountFailedCheckMessages() {
        Fixture f = fixture();
        long accountId = account(f.idler()).id();
        for (int i = 0; i < 3; i++) {
            jdbc.sql("""
                    insert into check_attempt (account_id, lab_id, step_id, passed, message, results, duration_ms)
                    values (?, 'nodeport', ?, false, 'Service web has no NodePort', '[]', 5)""")
                    .params(accountId, steps("nodeport").get(0)).update();
        }
        JsonNode failures = instructorApi(f.teacher()).get("/api/v1/cohorts/" + f.cohortId() + "/analytics").json().get("commonFailures");
        assertThat(failures.get(0).get("message").asString()).isEqualTo("Service web has no NodePort");
        assertThat(failures.get(0).get("count").asInt()).isEqualTo(3);
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    private static JsonNode learner(JsonNode page, String username) {
        for (JsonNode item : page.get("items")) {
            if (item.get("username").asString().equals(username)) {
                return item;
            }
        }
        throw new AssertionError(username + " not in " + page);
    }
}
