package dev.servicelab.grading;

import dev.servicelab.security.Scope;
import dev.servicelab.security.Caller;
import dev.servicelab.cohort.CohortAccess;
import dev.servicelab.problem.ApiProblem;

import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.grading.Results.LabResult;
import dev.servicelab.grading.Results.LearnerResult;
import dev.servicelab.grading.Results.Page;
import dev.servicelab.problem.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/cohorts/{id}")
@Tag(name = "Grading", description = """
        Results of a cohort's learners: completion, scores (steps weigh equally within a lab; labs by their weight in \
        the cohort), timestamps and attempts. Needs an instructor's sign-in or an API token with results:read \
        (Authorization: Bearer slt_...). Learners may read their own results.""")
class ResultsApiController {

    private static final String PAGE_EXAMPLE = """
            {"items": [{"username": "ada", "displayName": "Ada", "joinedAt": "2025-03-01T09:00:00Z", "score": 75.0,
              "completed": false, "completedLabs": 1, "totalLabs": 2, "attempts": 9, "lastActivityAt": "2025-03-04T10:22:00Z",
              "labs": [{"labId": "clusterip", "title": "ClusterIP Services", "username": "ada", "completed": true,
                "passedSteps": 5, "totalSteps": 5, "score": 100.0, "weight": 2.0, "dueAt": "2025-03-15T22:00:00Z", "late": false,
                "startedAt": "2025-03-02T09:00:00Z", "completedAt": "2025-03-02T10:40:00Z", "attempts": 7,
                "lastActivityAt": "2025-03-02T10:40:00Z",
                "steps": [{"stepId": "create-deployment", "title": "Create the Deployment", "status": "PASSED",
                  "startedAt": "2025-03-02T09:00:00Z", "passedAt": "2025-03-02T09:12:00Z", "secondsSpent": 720,
                  "hintsUsed": 1, "attempts": 2, "failedAttempts": 1}]}]}],
             "page": 0, "size": 50, "totalItems": 1, "totalPages": 1}""";

    private static final String BAD_QUERY = """
            {"type": "/problems/invalid-query", "title": "Invalid query parameter", "status": 400,
             "detail": "since must be an ISO-8601 instant such as 2025-03-01T09:00:00Z or a date such as 2025-03-01 (it was 'yesterday').",
             "instance": "/api/v1/cohorts/7/results", "parameter": "since"}""";

    private static final String NO_SCOPE = """
            {"type": "/problems/insufficient-scope", "title": "Token lacks a scope", "status": 403,
             "detail": "This API token lacks the scope 'results:read'. Create a token with it (tokens cannot be changed).",
             "instance": "/api/v1/cohorts/7/results"}""";

    private final CohortAccess access;
    private final ResultsService results;
    private final AnalyticsService analytics;
    private final CohortRepository cohorts;

    ResultsApiController(CohortAccess access, ResultsService results, AnalyticsService analytics, CohortRepository cohorts) {
        this.access = access;
        this.results = results;
        this.analytics = analytics;
        this.cohorts = cohorts;
    }

    @GetMapping("/results")
    @Operation(summary = "Results per learner, paged and filtered",
            description = "Learners by username, paged and filtered in the database. With `lab`, only that lab counts "
                    + "towards score, completion and activity. A page looks like this:\n\n```json\n" + PAGE_EXAMPLE + "\n```",
            // An example in the 200 response's content would replace the page's schema (springdoc 3.1), so the
            // example is in the description.
            responses = {
                    @ApiResponse(responseCode = "200", description = "A page of results"),
                    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json",
                            examples = @ExampleObject(value = BAD_QUERY))),
                    @ApiResponse(responseCode = "403", content = @Content(mediaType = "application/problem+json",
                            examples = @ExampleObject(value = NO_SCOPE)))})
    Page<LearnerResult> cohortResults(@PathVariable long id,
            @Parameter(description = "page number from 0", schema = @Schema(type = "integer", defaultValue = "0", minimum = "0"))
            @RequestParam(required = false) String page,
            @Parameter(description = "items per page, 1-" + ResultQuery.MAX_SIZE,
                    schema = @Schema(type = "integer", defaultValue = "50", minimum = "1", maximum = "200"))
            @RequestParam(required = false) String size,
            @Parameter(description = "count only this lab (one of the cohort's)") @RequestParam(required = false) String lab,
            @Parameter(description = "only learners who completed (true) or not (false) the labs counted",
                    schema = @Schema(type = "boolean")) @RequestParam(required = false) String completed,
            @Parameter(description = "only learners active since this ISO-8601 instant or date",
                    schema = @Schema(type = "string", format = "date-time")) @RequestParam(required = false) String since,
            Principal principal) {
        Cohort cohort = access.cohort(access.withScope(principal, Scope.RESULTS_READ), id);
        return results.page(cohort, ResultQuery.parse(cohort, page, size, lab, completed, since));
    }

    @GetMapping("/learners/{username}/results")
    @Operation(summary = "One learner's results in every lab of the cohort, step by step",
            description = "Instructors and tokens with results:read; a learner may read their own.")
    LearnerResult learnerResults(@PathVariable long id, @PathVariable String username, Principal principal) {
        Caller caller = access.caller(principal);
        if (!caller.viaToken() && !caller.instructor()) {
            // A learner: their own results in a cohort they belong to, nothing else.
            Cohort cohort = cohorts.find(id).filter(c -> cohorts.isMember(c.id(), caller.account().id()))
                    .orElseThrow(() -> new NotFoundException("cohort-not-found", "No such cohort",
                            "You are not in cohort " + id + ". GET /api/v1/me/cohorts lists yours."));
            if (!caller.account().username().equalsIgnoreCase(username)) {
                throw ApiProblem.forbidden("forbidden", "Not allowed", "You may read only your own results: "
                        + "GET /api/v1/cohorts/" + id + "/learners/" + caller.account().username() + "/results.");
            }
            return results.learner(cohort, username);
        }
        Cohort cohort = access.cohort(access.withScope(principal, Scope.RESULTS_READ), id);
        return results.learner(cohort, username);
    }

    @GetMapping("/labs/{labId}/results")
    @Operation(summary = "Every learner's result in one lab of the cohort, paged and filtered",
            description = "Learners by username, paged and filtered in the database.")
    Page<LabResult> labResults(@PathVariable long id, @PathVariable String labId,
            @Parameter(description = "page number from 0", schema = @Schema(type = "integer", defaultValue = "0", minimum = "0"))
            @RequestParam(required = false) String page,
            @Parameter(description = "items per page, 1-" + ResultQuery.MAX_SIZE,
                    schema = @Schema(type = "integer", defaultValue = "50", minimum = "1", maximum = "200"))
            @RequestParam(required = false) String size,
            @Parameter(description = "only learners who completed (true) or not (false) this lab", schema = @Schema(type = "boolean"))
            @RequestParam(required = false) String completed,
            @Parameter(description = "only learners active in this lab since this ISO-8601 instant or date",
                    schema = @Schema(type = "string", format = "date-time")) @RequestParam(required = false) String since,
            Principal principal) {
        Cohort cohort = access.cohort(access.withScope(principal, Scope.RESULTS_READ), id);
        if (!cohort.hasLab(labId)) {
            throw new NotFoundException("lab-not-in-cohort", "Lab not in the cohort",
                    "Cohort " + id + " has no lab '" + labId + "'; its labs are " + cohort.labIds() + ".");
        }
        // A learner's result restricted to one lab holds just that lab, filtered as that lab.
        return results.page(cohort, ResultQuery.parse(cohort, page, size, labId, completed, since)).map(r -> r.labs().get(0));
    }

    @GetMapping("/analytics")
    @Operation(summary = "Completion per step, the steps learners spend longest on, and the most common check failures")
    CohortAnalytics analytics(@PathVariable long id, Principal principal) {
        return analytics.analytics(access.cohort(access.withScope(principal, Scope.RESULTS_READ), id));
    }

    // No 'produces': graders' clients often send Accept: application/json everywhere; the preset
    // Content-Type is what they get.
    @GetMapping("/analytics.csv")
    @Operation(summary = "The analytics as CSV, one row per step", responses = @ApiResponse(responseCode = "200",
            content = @Content(mediaType = "text/csv", examples = @ExampleObject(value = """
                    lab,step,title,learners,started,passed,completion_percent,mean_minutes_to_pass,in_progress,mean_minutes_spent,hints_used,failed_attempts,most_common_failure,most_common_failure_count
                    clusterip,expose-imperatively,Expose a Deployment,12,12,11,91.7,8.5,1,9.9,4,17,Service web selects no Pods,9
                    """))))
    ResponseEntity<String> analyticsCsv(@PathVariable long id, Principal principal) {
        Cohort cohort = access.cohort(access.withScope(principal, Scope.RESULTS_READ), id);
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header("Content-Disposition", "attachment; filename=\"cohort-" + id + "-analytics.csv\"")
                .body(analytics.csv(cohort));
    }
}
