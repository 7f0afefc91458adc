package dev.servicelab.account;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param firstAdminUsername the admin account created on first start when no admin exists
 * @param firstAdminPassword its password; empty means the account is not created (and a warning says so)
 * @param selfSignup whether learners may create their own accounts on the sign-up page
 */
@ConfigurationProperties("servicelab.accounts")
public record AccountProperties(
        @DefaultValue("admin") String firstAdminUsername,
        @DefaultValue("") String firstAdminPassword,
        @DefaultValue("true") boolean selfSignup) {
}
