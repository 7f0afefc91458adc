package dev.servicelab.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient;
import dev.servicelab.PlatformTestBase;
import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabStep;
import dev.servicelab.security.AccountRepository;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A capstone with a fault pool, through the API a learner uses: each learner gets their own faults,
 * the same ones on every call and after the catalog is read anew (as after a restart or on another
 * replica), and only those.
 */
class LearnerFaultsApiTest extends PlatformTestBase {

    private static final String LAB = "broken-shop-2";

    @Autowired
    AccountRepository accountRepository;
    @Autowired
    LabProperties labProperties;

    private static List<String> ids(JsonNode steps, String field) {
        List<String> ids = new ArrayList<>();
        steps.forEach(step -> ids.add(step.get(field).asString()));
        return ids;
    }

    private List<String> faultsOf(ApiClient learner) {
        return ids(learner.get("/api/v1/labs/" + LAB + "/progress").json().get("steps"), "stepId");
    }

    @Test
    void twoLearnersWhoSignedUpOneAfterTheOtherGetDifferentFaults() {
        ApiClient first = api(newLearner(), LEARNER_PASSWORD);
        ApiClient second = api(newLearner(), LEARNER_PASSWORD);
        assertThat(faultsOf(first)).hasSize(4);
        assertThat(faultsOf(second)).hasSize(4).isNotEqualTo(faultsOf(first));
    }

    @Test
    void aLearnerAlwaysGetsTheSameFaultsOnEveryPageAndAfterTheCatalogIsReadAnew() {
        String username = newLearner();
        long accountId = accountRepository.findByUsername(username).orElseThrow().id();
        ApiClient learner = api(username, LEARNER_PASSWORD);
        List<String> mine = faultsOf(learner);

        JsonNode started = learner.post("/api/v1/labs/" + LAB + "/enrolment", null).json().get("steps");
        assertThat(ids(started, "stepId")).isEqualTo(mine);
        assertThat(started.get(0).get("status").asString()).isEqualTo("IN_PROGRESS");
        assertThat(ids(learner.get("/api/v1/labs/" + LAB).json().get("steps"), "id")).isEqualTo(mine);
        assertThat(faultsOf(learner)).isEqualTo(mine);

        Lab fresh = new LabCatalogService(labProperties).lab(LAB, accountId);
        assertThat(fresh.steps()).extracting(LabStep::id).isEqualTo(mine);
    }

    @Test
    void theCatalogCountsTheStepsALearnerGets() {
        JsonNode labs = api(newLearner(), LEARNER_PASSWORD).get("/api/v1/labs").json();
        List<Integer> steps = new ArrayList<>();
        labs.forEach(lab -> {
            if (LAB.equals(lab.get("id").asString())) {
                steps.add(lab.get("steps").asInt());
            }
        });
        assertThat(steps).containsExactly(4);
    }

    @Test
    void aFaultTheLearnerDidNotDrawIsNoStepOfTheirs() {
        ApiClient learner = api(newLearner(), LEARNER_PASSWORD);
        List<String> mine = faultsOf(learner);
        learner.post("/api/v1/labs/" + LAB + "/enrolment", null);
        String notMine = new LabCatalogService(labProperties).lab(LAB).faults().pool().stream().map(LabStep::id)
                .filter(id -> !mine.contains(id)).findFirst().orElseThrow();

        ApiClient.Response hint = learner.post("/api/v1/labs/" + LAB + "/steps/" + notMine + "/hints", null);
        assertThat(hint.status()).isEqualTo(404);
        assertThat(hint.json().get("detail").asString()).contains("has no step '" + notMine + "'").contains(mine.get(0));
        assertThat(learner.post("/api/v1/labs/" + LAB + "/steps/" + mine.get(0) + "/hints", null).status()).isEqualTo(200);
    }
}
