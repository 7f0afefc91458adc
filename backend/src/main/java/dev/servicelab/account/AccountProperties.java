package dev.servicelab.account;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param firstAdminUsername the admin account created on first start when no admin exists
 * @param firstAdminPassword its password; empty means the account is not created (and a warning says so)
 * @param selfSignup whether learners may create their own accounts on the sign-up page
 * @param signupRequiresInvitation whether sign-up needs a cohort's join code (the learner joins that cohort)
 * @see dev.servicelab.security.SignInProperties the sign-in limits under the same prefix
 */
@ConfigurationProperties("servicelab.accounts")
@Validated
public record AccountProperties(
        @DefaultValue("admin") String firstAdminUsername,
        @DefaultValue("") String firstAdminPassword,
        @DefaultValue("true") boolean selfSignup,
        @DefaultValue("false") boolean signupRequiresInvitation) {
}
