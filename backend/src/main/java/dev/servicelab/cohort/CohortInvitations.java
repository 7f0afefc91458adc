package dev.servicelab.cohort;

import dev.servicelab.security.Account;
import dev.servicelab.account.AccountService.InvalidAccountException;
import dev.servicelab.account.Invitations;
import dev.servicelab.problem.ApiException;
import org.springframework.stereotype.Component;

/** A cohort's join code is the invitation to sign up: the new learner joins that cohort. */
@Component
class CohortInvitations implements Invitations {

    private final CohortService cohorts;

    CohortInvitations(CohortService cohorts) {
        this.cohorts = cohorts;
    }

    @Override
    public String accept(Account account, String code) {
        try {
            return cohorts.join(account, code).name();
        } catch (ApiException e) {
            throw new InvalidAccountException(e.getMessage());
        }
    }
}
