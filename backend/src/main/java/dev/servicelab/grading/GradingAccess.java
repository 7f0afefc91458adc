package dev.servicelab.grading;

import dev.servicelab.account.Account;
import dev.servicelab.account.CurrentAccount;
import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.problem.NotFoundException;
import java.security.Principal;
import org.springframework.stereotype.Component;

/**
 * Who may see and change which cohort. Instructors reach the cohorts they own (admins every cohort);
 * an API token reaches its owner's cohorts within its scopes, and only its one cohort if it is
 * limited to one. Another instructor's cohort answers 404, as if it did not exist.
 */
@Component
public class GradingAccess {

    private final CurrentAccount current;
    private final CohortRepository cohorts;

    GradingAccess(CurrentAccount current, CohortRepository cohorts) {
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

    /** The cohort, if the caller may reach it. */
    public Cohort cohort(Caller caller, long id) {
        Cohort cohort = cohorts.find(id).filter(c -> caller.admin() || c.ownerId() == caller.account().id())
                .orElseThrow(() -> new NotFoundException("cohort-not-found", "No such cohort",
                        "You have no cohort " + id + ". GET /api/v1/cohorts lists yours."));
        if (caller.viaToken() && caller.token().cohortId() != null && caller.token().cohortId() != id) {
            throw ApiProblem.forbidden("token-cohort", "Token limited to another cohort",
                    "This API token is limited to cohort " + caller.token().cohortId()
                            + ". Use a token for cohort " + id + " or one without a cohort limit.");
        }
        return cohort;
    }

    private static void requireInstructor(Caller caller) {
        if (!caller.instructor()) {
            throw ApiProblem.forbidden("forbidden", "Not allowed",
                    "Only instructors manage cohorts and read their results. Ask an admin for an instructor account.");
        }
    }
}
