package dev.servicelab.grading;

import dev.servicelab.security.Scope;
import dev.servicelab.security.Caller;
import dev.servicelab.cohort.CohortAccess;

import dev.servicelab.cohort.Cohort;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/cohorts/{id}/webhooks")
@Tag(name = "Webhooks", description = """
        When a cohort's learner completes one of its labs, ServiceLab POSTs a `lab.completed` event to each of the \
        cohort's webhooks. Headers: `X-ServiceLab-Timestamp` is the send time in Unix seconds; \
        `X-ServiceLab-Signature: sha256=<hex>` is the HMAC-SHA256, under the webhook's secret, of the timestamp, a dot \
        and the exact body bytes (`timestamp + "." + body`). Recompute it, compare in constant time, and refuse a \
        timestamp more than a few minutes old, so a recorded delivery cannot be replayed. `X-ServiceLab-Event` and \
        `X-ServiceLab-Delivery` name the event type and delivery. Answer 2xx to accept; anything else (or no answer \
        within 10 s) is retried with exponential backoff (5 s, 15 s, 45 s, ... up to 1 h apart, 10 attempts). \
        Redirects are not followed. Deliveries list the receiver's status and a short reason, never its body. The \
        body's `id` is stable across retries: use it to ignore duplicates. URLs whose host resolves to a loopback, \
        private, link-local or metadata address are refused (`/problems/webhook-address-refused`) at registration \
        and at every delivery, unless the operator allows that network. \
        Needs the instructor's sign-in or a token with webhooks:manage.""")
class WebhookApiController {

    record NewWebhook(String url) {
    }

    /** The webhook and its signing secret, shown this once. */
    record Created(Webhook webhook, String secret) {
    }

    private final CohortAccess access;
    private final WebhookService webhooks;

    WebhookApiController(CohortAccess access, WebhookService webhooks) {
        this.access = access;
        this.webhooks = webhooks;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register a webhook; the answer holds its signing secret, shown this once",
            requestBody = @RequestBody(content = @Content(examples = @ExampleObject(value = """
                    {"url": "https://grader.example.edu/servicelab"}"""))),
            responses = {
                    @ApiResponse(responseCode = "201", content = @Content(examples = @ExampleObject(value = """
                            {"webhook": {"id": 3, "cohortId": 7, "url": "https://grader.example.edu/servicelab",
                              "createdAt": "2025-03-01T09:00:00Z"},
                             "secret": "whsec_4f1c0a9e2b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c"}"""))),
                    @ApiResponse(responseCode = "202", description = "The event then POSTed to the URL (example body)",
                            content = @Content(examples = @ExampleObject(name = "lab.completed", value = """
                                    {"id": "lab.completed:7:42:clusterip", "type": "lab.completed",
                                     "occurredAt": "2025-03-02T10:40:00Z", "cohort": {"id": 7, "name": "Networking, spring term"},
                                     "learner": {"username": "ada", "displayName": "Ada"},
                                     "lab": {"id": "clusterip", "title": "ClusterIP Services"},
                                     "result": {"score": 100.0, "passedSteps": 5, "totalSteps": 5, "attempts": 7,
                                       "startedAt": "2025-03-02T09:00:00Z", "completedAt": "2025-03-02T10:40:00Z",
                                       "late": false, "cohortScore": 75.0}}""")))})
    Created create(@PathVariable long id, @org.springframework.web.bind.annotation.RequestBody NewWebhook request,
            Principal principal) {
        Caller caller = access.withScope(principal, Scope.WEBHOOKS_MANAGE);
        Cohort cohort = access.cohort(caller, id);
        var created = webhooks.create(cohort, caller, request == null ? null : request.url());
        return new Created(created.webhook(), created.secret());
    }

    @GetMapping
    @Operation(summary = "The cohort's webhooks")
    List<Webhook> list(@PathVariable long id, Principal principal) {
        return webhooks.list(cohort(id, principal));
    }

    @DeleteMapping("/{webhookId}")
    @Operation(summary = "Delete a webhook; its pending deliveries are dropped")
    ResponseEntity<Void> delete(@PathVariable long id, @PathVariable long webhookId, Principal principal) {
        webhooks.delete(cohort(id, principal), webhookId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{webhookId}/deliveries")
    @Operation(summary = "The webhook's latest deliveries: status, attempts, last answer or error, next attempt")
    List<Webhook.Delivery> deliveries(@PathVariable long id, @PathVariable long webhookId, Principal principal) {
        return webhooks.deliveries(cohort(id, principal), webhookId);
    }

    private Cohort cohort(long id, Principal principal) {
        return access.cohort(access.withScope(principal, Scope.WEBHOOKS_MANAGE), id);
    }
}
