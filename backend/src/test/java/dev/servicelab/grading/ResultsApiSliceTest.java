package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import dev.servicelab.security.Account;
import dev.servicelab.security.Role;
import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortAccess;
import dev.servicelab.security.Caller;
import dev.servicelab.security.Scope;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.security.LimitsProperties;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The grading API's web layer alone (a Spring MVC slice: no database, no sandboxes): how requests
 * map onto the results services, and which problem details wrong requests get. Who may read what
 * is GradingAccess's, mocked here, and sign-in is Spring Boot's default in a slice: GradingApiTest
 * proves both on the whole platform.
 */
@WebMvcTest(ResultsApiController.class)
@Import(ResultsApiSliceTest.Limits.class)
@WithMockUser(username = "teacher")
class ResultsApiSliceTest {

    /** The request body limit is a servlet filter, so the slice has it; it reads its settings. */
    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(LimitsProperties.class)
    static class Limits {
    }

    private static final Account TEACHER = new Account(1, "teacher", "Teacher", Role.INSTRUCTOR, true, Instant.EPOCH);
    private static final Account ADA = new Account(2, "ada", "Ada", Role.LEARNER, true, Instant.EPOCH);
    private static final Cohort COHORT = new Cohort(7, "Evening class", 1, "teacher", "join", null, null, null, Instant.EPOCH,
            List.of(new Cohort.CohortLab("clusterip", 0, null, 1.0)));

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    CohortAccess access;

    @MockitoBean
    ResultsService results;

    @MockitoBean
    AnalyticsService analytics;

    @MockitoBean
    CohortRepository cohorts;

    @BeforeEach
    void anInstructorOwnsTheCohort() {
        Caller teacher = new Caller(TEACHER, null);
        given(access.caller(any())).willReturn(teacher);
        given(access.withScope(any(), eq(Scope.RESULTS_READ))).willReturn(teacher);
        given(access.cohort(teacher, 7)).willReturn(COHORT);
    }

    @Test
    void resultsAreAPageOfTheSizeAskedFor() {
        given(results.page(eq(COHORT), any())).willReturn(new Results.Page<>(List.of(), 2, 10, 25, 3));
        assertThat(mvc.get().uri("/api/v1/cohorts/7/results?page=2&size=10")).hasStatusOk().bodyJson()
                .hasPathSatisfying("$.totalPages", v -> v.assertThat().isEqualTo(3))
                .hasPathSatisfying("$.size", v -> v.assertThat().isEqualTo(10));
        verify(results).page(COHORT, new ResultQuery(2, 10, List.of("clusterip"), null, null));
    }

    @Test
    void aSizeOutOfRangeIsAProblemThatNamesTheParameter() {
        assertThat(mvc.get().uri("/api/v1/cohorts/7/results?size=500")).hasStatus(HttpStatus.BAD_REQUEST).bodyJson()
                .hasPathSatisfying("$.type", v -> v.assertThat().isEqualTo("/problems/invalid-query"))
                .hasPathSatisfying("$.parameter", v -> v.assertThat().isEqualTo("size"))
                .hasPathSatisfying("$.detail", v -> v.assertThat().asString().contains("from 1 to 200"));
        verifyNoInteractions(results);
    }

    @Test
    void aSinceThatIsNoDateSaysWhichFormsItTakes() {
        assertThat(mvc.get().uri("/api/v1/cohorts/7/results?since=yesterday")).hasStatus(HttpStatus.BAD_REQUEST).bodyJson()
                .hasPathSatisfying("$.detail", v -> v.assertThat().asString().contains("2025-03-01T09:00:00Z"));
    }

    @Test
    void resultsOfALabTheCohortDoesNotHaveAreNotFound() {
        assertThat(mvc.get().uri("/api/v1/cohorts/7/labs/nodeport/results")).hasStatus(HttpStatus.NOT_FOUND).bodyJson()
                .hasPathSatisfying("$.type", v -> v.assertThat().isEqualTo("/problems/lab-not-in-cohort"));
    }

    @Test
    @WithMockUser(username = "ada")
    void aLearnerMayNotReadAnotherLearnersResults() {
        given(access.caller(any())).willReturn(new Caller(ADA, null));
        given(cohorts.find(7)).willReturn(Optional.of(COHORT));
        given(cohorts.isMember(7, 2)).willReturn(true);
        assertThat(mvc.get().uri("/api/v1/cohorts/7/learners/grace/results")).hasStatus(HttpStatus.FORBIDDEN).bodyJson()
                .hasPathSatisfying("$.detail", v -> v.assertThat().asString()
                        .contains("GET /api/v1/cohorts/7/learners/ada/results"));
        verifyNoInteractions(results);
    }
}
