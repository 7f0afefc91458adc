package dev.servicelab.security;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "API tokens", description = """
        Instructors' tokens for graders and scripts: send `Authorization: Bearer <token>`. Scopes: results:read, \
        cohorts:read, webhooks:manage; optionally limited to one cohort. Managing tokens needs the instructor's sign-in.""")
class ApiTokenApiController {

    record NewToken(String name, List<String> scopes, Long cohortId, Instant expiresAt) {
    }

    /** The created token; {@code token} is shown this once. */
    record Created(ApiToken details, String token) {
    }

    private final ApiTokenService tokens;
    private final CallerAccess access;

    ApiTokenApiController(ApiTokenService tokens, CallerAccess access) {
        this.tokens = tokens;
        this.access = access;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a token; the answer is the only time it is shown",
            requestBody = @RequestBody(content = @Content(examples = @ExampleObject(value = """
                    {"name": "autograder", "scopes": ["results:read", "cohorts:read"], "cohortId": 7}"""))),
            responses = @ApiResponse(responseCode = "201", content = @Content(examples = @ExampleObject(value = """
                    {"details": {"id": 4, "name": "autograder", "prefix": "k3v9x0q2ma", "scopes": ["cohorts:read", "results:read"],
                      "cohortId": 7, "createdAt": "2025-03-01T09:00:00Z"},
                     "token": "slt_k3v9x0q2ma_Q2x8ZtY1rVw0nB7cLpD4sF6gH9jK3mN5"}"""))))
    Created create(@org.springframework.web.bind.annotation.RequestBody NewToken request, Principal principal) {
        Caller caller = access.instructor(principal);
        var created = tokens.create(caller, request == null ? null : request.name(), request == null ? null : request.scopes(),
                request == null ? null : request.cohortId(), request == null ? null : request.expiresAt());
        return new Created(created.token(), created.secret());
    }

    @GetMapping
    @Operation(summary = "My tokens (without their secrets)")
    List<ApiToken> list(Principal principal) {
        return tokens.list(access.instructor(principal).account());
    }

    @DeleteMapping("/{tokenId}")
    @Operation(summary = "Revoke a token: it is refused from now on")
    ApiToken revoke(@PathVariable long tokenId, Principal principal) {
        return tokens.revoke(access.instructor(principal).account(), tokenId);
    }
}
