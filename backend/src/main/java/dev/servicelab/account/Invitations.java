package dev.servicelab.account;

import dev.servicelab.security.Account;

/**
 * Invitations to sign up: a cohort's join code. Implemented where cohorts live, so that accounts
 * need not know about cohorts.
 */
public interface Invitations {

    /**
     * Makes the new account a member of the cohort with this code.
     *
     * @return the cohort's name
     * @throws AccountService.InvalidAccountException when no open cohort has the code, saying what to do
     */
    String accept(Account account, String code);
}
