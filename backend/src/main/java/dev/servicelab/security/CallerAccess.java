package dev.servicelab.security;

import dev.servicelab.problem.ApiProblem;

import dev.servicelab.problem.NotFoundException;
import java.security.Principal;
import org.springframework.stereotype.Component;

/**
 * Who may see and change which cohort. Instructors reach the cohorts they own (admins every cohort);
 * an API token reaches its owner's cohorts within its scopes, and only its one cohort if it is
 * limited to one. Another instructor's cohort answers 404, as if it did not exist.
 */
@Component
public class CallerAccess {

    private final CurrentAccount current;
    private final CohortMembership cohorts;

    CallerAccess(CurrentAccount current, CohortMembership cohorts) {
        this.current = current;
        this.cohorts = cohorts;
    }

    public Caller caller(Principal principal) {
        Account account = current.of(principal);
        return new Caller(account, principal instanceof ApiTokenAuthentication token ? token.grant() : null);
    }

    /** An instructor or admin signed in with their password or session; tokens cannot do this. */
    public Caller instructor(Principal principal) {
        Caller caller = caller(principal);
        if (caller.viaToken()) {
            throw ApiProblem.forbidden("token-not-allowed", "Not for API tokens",
                    "API tokens only read results and manage webhooks. Sign in with your password to do this.");
        }
        requireInstructor(caller);
        return caller;
    }

    /** An instructor (any scope) or a token with this scope. */
    public Caller withScope(Principal principal, Scope scope) {
        Caller caller = caller(principal);
        if (caller.viaToken()) {
            if (!caller.token().scopes().contains(scope)) {
                throw ApiProblem.forbidden("insufficient-scope", "Token lacks a scope",
                        "This API token lacks the scope '" + scope.value() + "'. Create a token with it (tokens cannot be changed).");
            }
        } else {
            requireInstructor(caller);
        }
        return caller;
    }

    /** Refuses a cohort the caller may not reach (404 as if it did not exist, or 403 for a token limited to another). */
    public void requireCohort(Caller caller, long id) {
        boolean reachable = cohorts.ownerOf(id).stream().anyMatch(owner -> caller.admin() || owner == caller.account().id());
        if (!reachable) {
            throw new NotFoundException("cohort-not-found", "No such cohort",
                    "You have no cohort " + id + ". GET /api/v1/cohorts lists yours.");
        }
        if (caller.viaToken() && caller.token().cohortId() != null && caller.token().cohortId() != id) {
            throw ApiProblem.forbidden("token-cohort", "Token limited to another cohort",
                    "This API token is limited to cohort " + caller.token().cohortId()
                            + ". Use a token for cohort " + id + " or one without a cohort limit.");
        }
    }

    private static void requireInstructor(Caller caller) {
        if (!caller.instructor()) {
            throw ApiProblem.forbidden("forbidden", "Not allowed",
                    "Only instructors manage cohorts and read their results. Ask an admin for an instructor account.");
        }
    }
}
