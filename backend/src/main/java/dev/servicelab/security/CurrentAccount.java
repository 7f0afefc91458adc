package dev.servicelab.security;

import java.security.Principal;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.stereotype.Component;

/** Resolves the signed-in principal to its account row. */
@Component
public class CurrentAccount {

    private final AccountRepository accounts;

    public CurrentAccount(AccountRepository accounts) {
        this.accounts = accounts;
    }

    public Account of(Principal principal) {
        if (principal == null) {
            throw new InsufficientAuthenticationException("Sign in first.");
        }
        return accounts.findByUsername(principal.getName())
                .orElseThrow(() -> new InsufficientAuthenticationException("Your account no longer exists; sign in again."));
    }
}
