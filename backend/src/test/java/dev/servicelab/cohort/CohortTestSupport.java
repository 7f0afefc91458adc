package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.ApiClient;
import dev.servicelab.ApiClient.Response;
import dev.servicelab.PlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.security.Role;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.LabStep;
import dev.servicelab.progress.ProgressService;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Instructors, cohorts, members, tokens and progress for cohort and grading tests, through the API where it can be. */
public abstract class CohortTestSupport extends PlatformTestBase {

    public static final String INSTRUCTOR_PASSWORD = "instructor-password";

    @Autowired
    protected ProgressService progress;

    @Autowired
    protected AccountRepository accountRepository;

    @Autowired
    protected LabCatalogService catalog;

    protected String newInstructor() {
        String username = "teacher-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(username, "Test Instructor", INSTRUCTOR_PASSWORD, Role.INSTRUCTOR);
        return username;
    }

    protected ApiClient instructorApi(String username) {
        return api(username, INSTRUCTOR_PASSWORD);
    }

    protected ApiClient learnerApi(String username) {
        return api(username, LEARNER_PASSWORD);
    }

    protected ApiClient tokenApi(String token) {
        return anonymousApi().withAuthorization("Bearer " + token);
    }

    /** Creates a cohort of these labs through the API and returns its JSON. */
    protected JsonNode createCohort(String instructor, String... labIds) {
        String labs = String.join(",", Arrays.stream(labIds).map(id -> "{\"labId\":\"" + id + "\"}").toList());
        Response response = instructorApi(instructor).post("/api/v1/cohorts", "{\"name\":\"Test cohort\",\"labs\":[" + labs + "]}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    protected void join(String learner, JsonNode cohort) {
        Response response = learnerApi(learner).post("/api/v1/cohorts/join",
                "{\"code\":\"" + cohort.get("joinCode").asString() + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    protected String token(String instructor, String scopes, Long cohortId) {
        String scopeList = String.join(",", Arrays.stream(scopes.split(" ")).map(s -> "\"" + s + "\"").toList());
        Response response = instructorApi(instructor).post("/api/v1/tokens", "{\"name\":\"grader\",\"scopes\":[" + scopeList + "]"
                + (cohortId == null ? "" : ",\"cohortId\":" + cohortId) + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("token").asString();
    }

    protected Account account(String username) {
        return accountRepository.findByUsername(username).orElseThrow();
    }

    protected List<String> steps(String labId) {
        return catalog.lab(labId).steps().stream().map(LabStep::id).toList();
    }

    /** Passes steps as the check engine would after a successful check (no sandbox needed). */
    protected void pass(String learner, String labId, String... stepIds) {
        progress.start(account(learner), labId);
        for (String step : stepIds) {
            progress.recordPassed(account(learner), labId, step);
        }
    }

    protected void passAll(String learner, String labId) {
        pass(learner, labId, steps(labId).toArray(String[]::new));
    }

    protected static long id(JsonNode cohort) {
        return cohort.get("id").asLong();
    }

    public static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo(type);
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }
}
