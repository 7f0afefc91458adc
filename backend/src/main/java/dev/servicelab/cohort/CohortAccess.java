package dev.servicelab.cohort;

import dev.servicelab.security.Caller;
import dev.servicelab.security.CallerAccess;
import dev.servicelab.security.Scope;
import java.security.Principal;
import org.springframework.stereotype.Component;

/**
 * The security package's caller rules, plus the cohort itself once they allow it: what cohort and
 * grading controllers ask for.
 */
@Component
public class CohortAccess {

    private final CallerAccess access;
    private final CohortRepository cohorts;

    CohortAccess(CallerAccess access, CohortRepository cohorts) {
        this.access = access;
        this.cohorts = cohorts;
    }

    public Caller caller(Principal principal) {
        return access.caller(principal);
    }

    public Caller instructor(Principal principal) {
        return access.instructor(principal);
    }

    public Caller withScope(Principal principal, Scope scope) {
        return access.withScope(principal, scope);
    }

    /** The cohort, if the caller may reach it (see {@link CallerAccess#requireCohort}). */
    public Cohort cohort(Caller caller, long id) {
        access.requireCohort(caller, id);
        return cohorts.find(id).orElseThrow();
    }
}
