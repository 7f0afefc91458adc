package dev.servicelab.cohort;

import dev.servicelab.security.Caller;
import dev.servicelab.security.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Cohorts", description = """
        Instructors' cohorts (courses): labs, schedule, join code, members, and control over members' sandboxes. \
        Reading needs an instructor's sign-in or an API token with cohorts:read; changing needs the instructor's sign-in.""")
class CohortApiController {

    record JoinRequest(String code) {
    }

    private static final String COHORT_EXAMPLE = """
            {"id": 7, "name": "Networking, spring term", "ownerId": 3, "ownerUsername": "grace", "joinCode": "K7MQ2XWP",
             "opensAt": "2025-03-01T08:00:00Z", "closesAt": "2025-06-30T22:00:00Z", "createdAt": "2025-02-20T10:11:12Z",
             "labs": [{"labId": "why-services", "position": 0, "weight": 1.0},
                      {"labId": "clusterip", "position": 1, "dueAt": "2025-03-15T22:00:00Z", "weight": 2.0}]}""";

    private final CohortService service;
    private final CohortRepository cohorts;
    private final CohortAccess access;
    private final LearnerSandboxes sandboxes;
    private final CohortSessions sessions;

    CohortApiController(CohortService service, CohortRepository cohorts, CohortAccess access, LearnerSandboxes sandboxes,
            CohortSessions sessions) {
        this.service = service;
        this.sessions = sessions;
        this.cohorts = cohorts;
        this.access = access;
        this.sandboxes = sandboxes;
    }

    @GetMapping("/cohorts")
    @Operation(summary = "My cohorts, newest first (admins: every cohort; a token limited to one cohort: that one)")
    List<Cohort> list(Principal principal) {
        Caller caller = access.withScope(principal, Scope.COHORTS_READ);
        List<Cohort> owned = cohorts.owned(caller.admin() ? null : caller.account().id());
        if (caller.viaToken() && caller.token().cohortId() != null) {
            return owned.stream().filter(c -> c.id() == caller.token().cohortId()).toList();
        }
        return owned;
    }

    @PostMapping("/cohorts")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a cohort: name, labs in order (optional due date and weight each), optional schedule",
            requestBody = @RequestBody(content = @Content(examples = @ExampleObject(value = """
                    {"name": "Networking, spring term", "opensAt": "2025-03-01T08:00:00Z", "closesAt": "2025-06-30T22:00:00Z",
                     "labs": [{"labId": "why-services"}, {"labId": "clusterip", "dueAt": "2025-03-15T22:00:00Z", "weight": 2}]}"""))),
            responses = {
                    @ApiResponse(responseCode = "201", content = @Content(examples = @ExampleObject(value = COHORT_EXAMPLE))),
                    @ApiResponse(responseCode = "400", description = "Invalid cohort", content = @Content(
                            mediaType = "application/problem+json", examples = @ExampleObject(value = """
                                    {"type": "/problems/invalid-cohort", "title": "The cohort cannot be saved", "status": 400,
                                     "detail": "There is no lab 'nope'. Choose among [why-services, clusterip, ...].",
                                     "instance": "/api/v1/cohorts"}""")))})
    Cohort create(@org.springframework.web.bind.annotation.RequestBody CohortService.CohortRequest request, Principal principal) {
        return service.create(access.instructor(principal).account(), request);
    }

    @GetMapping("/cohorts/{id}")
    @Operation(summary = "One of my cohorts", responses = @ApiResponse(responseCode = "200",
            content = @Content(examples = @ExampleObject(value = COHORT_EXAMPLE))))
    Cohort get(@PathVariable long id, Principal principal) {
        return access.cohort(access.withScope(principal, Scope.COHORTS_READ), id);
    }

    @PutMapping("/cohorts/{id}")
    @Operation(summary = "Change a cohort's name, schedule and labs (the join code stays)")
    Cohort update(@PathVariable long id, @org.springframework.web.bind.annotation.RequestBody CohortService.CohortRequest request,
            Principal principal) {
        return service.update(access.cohort(access.instructor(principal), id), request);
    }

    @PostMapping("/cohorts/{id}/archive")
    @Operation(summary = "Archive a cohort: it takes no new members; results stay readable")
    Cohort archive(@PathVariable long id, Principal principal) {
        return service.archive(access.cohort(access.instructor(principal), id));
    }

    @GetMapping("/cohorts/{id}/learners")
    @Operation(summary = "The cohort's members")
    List<Cohort.Member> learners(@PathVariable long id, Principal principal) {
        return cohorts.members(access.cohort(access.withScope(principal, Scope.COHORTS_READ), id).id());
    }

    @PostMapping("/cohorts/join")
    @Operation(summary = "Join a cohort with its code (learners; joining twice changes nothing)",
            requestBody = @RequestBody(content = @Content(examples = @ExampleObject(value = "{\"code\": \"K7MQ2XWP\"}"))))
    Cohort join(@org.springframework.web.bind.annotation.RequestBody JoinRequest request, Principal principal) {
        Caller caller = access.caller(principal);
        if (caller.viaToken()) {
            throw dev.servicelab.problem.ApiProblem.forbidden("token-not-allowed", "Not for API tokens",
                    "Learners join cohorts with their own sign-in, not with an API token.");
        }
        return service.join(caller.account(), request == null ? null : request.code());
    }

    @GetMapping("/me/cohorts")
    @Operation(summary = "The cohorts I have joined, with their labs and due dates")
    List<Cohort> mine(Principal principal) {
        return service.joined(access.caller(principal).account());
    }

    @GetMapping("/cohorts/{id}/sessions")
    @Operation(summary = "The cohort's scheduled sessions, earliest first, with the window in which their learners' "
            + "sandboxes are pre-warmed")
    List<CohortSession> sessions(@PathVariable long id, Principal principal) {
        return sessions.of(access.cohort(access.withScope(principal, Scope.COHORTS_READ), id));
    }

    @PostMapping("/cohorts/{id}/sessions")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Schedule a session: the cohort works on one of its labs from startsAt (in the future). From "
            + "servicelab.cohorts.sessions.prewarm-lead before the start until as long after it, the warm pool holds a "
            + "clean sandbox for each learner of the cohort who has none for the lab yet (within max-total)",
            requestBody = @RequestBody(content = @Content(examples = @ExampleObject(value = """
                    {"labId": "clusterip", "startsAt": "2025-03-04T09:00:00Z"}"""))),
            responses = {
                    @ApiResponse(responseCode = "201", content = @Content(examples = @ExampleObject(value = """
                            {"id": 12, "cohortId": 7, "labId": "clusterip", "startsAt": "2025-03-04T09:00:00Z",
                             "createdAt": "2025-03-01T17:02:03Z", "prewarmFrom": "2025-03-04T08:50:00Z",
                             "prewarmUntil": "2025-03-04T09:10:00Z"}"""))),
                    @ApiResponse(responseCode = "400", description = "Invalid session", content = @Content(
                            mediaType = "application/problem+json", examples = @ExampleObject(value = """
                                    {"type": "/problems/invalid-session", "title": "The session cannot be scheduled",
                                     "status": 400, "detail": "The session must start in the future: startsAt ...",
                                     "instance": "/api/v1/cohorts/7/sessions"}""")))})
    CohortSession schedule(@PathVariable long id,
            @org.springframework.web.bind.annotation.RequestBody CohortSessions.SessionRequest request, Principal principal) {
        return sessions.schedule(access.cohort(access.instructor(principal), id), request);
    }

    @DeleteMapping("/cohorts/{id}/sessions/{sessionId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Cancel a scheduled session; sandboxes pre-warmed for it leave the pool at its next sizing")
    void cancel(@PathVariable long id, @PathVariable long sessionId, Principal principal) {
        sessions.cancel(access.cohort(access.instructor(principal), id), sessionId);
    }

    @GetMapping("/cohorts/{id}/sandboxes")
    @Operation(summary = "Every member's latest sandbox in each of the cohort's labs, with its state in words "
            + "(status) and, while queued, the place and estimated wait; what the dashboard shows")
    List<LearnerSandboxes.MemberSandboxes> cohortSandboxes(@PathVariable long id, Principal principal) {
        Cohort cohort = access.cohort(access.instructor(principal), id);
        return sandboxes.ofMembers(cohort, cohorts.members(cohort.id()));
    }

    @GetMapping("/cohorts/{id}/learners/{username}/sandboxes")
    @Operation(summary = "A learner's latest sandbox in each of the cohort's labs")
    List<LearnerSandboxes.SandboxSummary> learnerSandboxes(@PathVariable long id, @PathVariable String username,
            Principal principal) {
        Cohort cohort = memberCohort(access.instructor(principal), id, username);
        return sandboxes.latest(cohort, username);
    }

    @PostMapping("/cohorts/{id}/learners/{username}/sandboxes/{sandboxId}/extend")
    @Operation(summary = "Give a learner's running sandbox more time (up to its hard limit)")
    LearnerSandboxes.SandboxSummary extend(@PathVariable long id, @PathVariable String username, @PathVariable String sandboxId,
            Principal principal) {
        return sandboxes.extend(memberCohort(access.instructor(principal), id, username), username, sandboxId);
    }

    @PostMapping("/cohorts/{id}/learners/{username}/sandboxes/{sandboxId}/reset")
    @Operation(summary = "Reset a learner's sandbox: it ends now, and the learner's next start gets a fresh cluster "
            + "with their passed steps replayed")
    LearnerSandboxes.SandboxSummary reset(@PathVariable long id, @PathVariable String username, @PathVariable String sandboxId,
            Principal principal) {
        return sandboxes.end(memberCohort(access.instructor(principal), id, username), username, sandboxId);
    }

    @DeleteMapping("/cohorts/{id}/learners/{username}/sandboxes/{sandboxId}")
    @Operation(summary = "End a learner's sandbox now")
    LearnerSandboxes.SandboxSummary end(@PathVariable long id, @PathVariable String username, @PathVariable String sandboxId,
            Principal principal) {
        return sandboxes.end(memberCohort(access.instructor(principal), id, username), username, sandboxId);
    }

    private Cohort memberCohort(Caller caller, long id, String username) {
        Cohort cohort = access.cohort(caller, id);
        if (cohorts.members(id).stream().noneMatch(m -> m.username().equalsIgnoreCase(username))) {
            throw new dev.servicelab.problem.NotFoundException("learner-not-found", "No such learner in the cohort",
                    "'" + username + "' is not a member of cohort " + id + ". GET /api/v1/cohorts/" + id + "/learners lists its members.");
        }
        return cohort;
    }
}
