package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.cohort.CohortTestSupport;
import dev.servicelab.lab.LabStep;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A cohort doing a capstone with a fault pool is graded on each learner's own faults. */
class FaultPoolGradingTest extends CohortTestSupport {

    private static final String LAB = "broken-shop-2";

    @Autowired
    AnalyticsService analytics;
    @Autowired
    CohortRepository cohorts;

    private List<String> own(String learner) {
        return catalog.lab(LAB, account(learner).id()).steps().stream().map(LabStep::id).toList();
    }

    private static List<String> stepIds(JsonNode lab) {
        List<String> ids = new ArrayList<>();
        lab.get("steps").forEach(step -> ids.add(step.get("stepId").asString()));
        return ids;
    }

    @Test
    void eachLearnerIsGradedOnTheirOwnFaultsAndEachFaultCountsOnlyWhoDrewIt() {
        String teacher = newInstructor();
        JsonNode cohort = instructorApi(teacher).post("/api/v1/cohorts",
                "{\"name\":\"Capstone\",\"labs\":[{\"labId\":\"" + LAB + "\"}]}").json();
        String first = newLearner();
        String second = newLearner();
        join(first, cohort);
        join(second, cohort);
        pass(first, LAB, own(first).get(0));

        JsonNode page = instructorApi(teacher).get("/api/v1/cohorts/" + id(cohort) + "/results").json();
        List<JsonNode> learners = new ArrayList<>();
        page.get("items").forEach(learners::add);
        JsonNode firstLab = learners.stream().filter(l -> l.get("username").asString().equals(first)).findFirst()
                .orElseThrow().get("labs").get(0);
        JsonNode secondLab = learners.stream().filter(l -> l.get("username").asString().equals(second)).findFirst()
                .orElseThrow().get("labs").get(0);
        assertThat(stepIds(firstLab)).isEqualTo(own(first));
        assertThat(stepIds(secondLab)).isEqualTo(own(second)).isNotEqualTo(own(first));
        assertThat(firstLab.get("totalSteps").asInt()).isEqualTo(4);
        assertThat(firstLab.get("score").asDouble()).isEqualTo(25.0);

        CohortAnalytics figures = analytics.analytics(cohorts.find(id(cohort)).orElseThrow());
        CohortAnalytics.StepStats passedFault = figures.steps().stream().filter(s -> s.stepId().equals(own(first).get(0)))
                .findFirst().orElseThrow();
        boolean bothDrewIt = own(second).contains(own(first).get(0));
        assertThat(passedFault.completionPercent()).isEqualTo(bothDrewIt ? 50.0 : 100.0);
        assertThat(figures.steps()).extracting(CohortAnalytics.StepStats::stepId).doesNotHaveDuplicates()
                .containsAll(own(first)).containsAll(own(second));
        List<String> poolOrder = catalog.lab(LAB).withAllFaults().steps().stream().map(LabStep::id).toList();
        assertThat(figures.steps()).extracting(CohortAnalytics.StepStats::stepId)
                .isSortedAccordingTo(java.util.Comparator.comparingInt(poolOrder::indexOf));
    }

    @Test
    void theDashboardTheLabPageAndTheCatalogShowEachLearnerTheirOwnSteps() {
        String teacher = newInstructor();
        JsonNode cohort = instructorApi(teacher).post("/api/v1/cohorts",
                "{\"name\":\"Capstone pages\",\"labs\":[{\"labId\":\"" + LAB + "\"}]}").json();
        String learner = newLearner();
        join(learner, cohort);
        pass(learner, LAB, own(learner).get(0));

        var dashboard = instructorApi(teacher).get("/instructor/cohorts/" + id(cohort));
        assertThat(dashboard.status()).as(dashboard.body()).isEqualTo(200);
        assertThat(dashboard.body()).contains("colspan=\"4\"", "data-step=\"" + own(learner).get(3) + "\"");

        var page = learnerApi(learner).get("/labs/" + LAB);
        assertThat(page.status()).isEqualTo(200);
        String notMine = catalog.lab(LAB).faults().pool().stream().map(LabStep::id).filter(id -> !own(learner).contains(id))
                .findFirst().orElseThrow();
        assertThat(page.body()).contains("1</span> of <span>4</span> steps done")
                .contains(own(learner).stream().map(id -> "data-step=\"" + id + "\"").toArray(String[]::new))
                .doesNotContain("data-step=\"" + notMine + "\"");

        var catalogPage = learnerApi(learner).get("/");
        assertThat(catalogPage.status()).isEqualTo(200);
        assertThat(catalogPage.body()).containsPattern("(?s)" + LAB + ".{0,2000}4 steps");
    }
}
