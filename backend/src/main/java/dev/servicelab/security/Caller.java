package dev.servicelab.security;

/** Who is calling: an account, signed in with a password or session, or acting through one of its API tokens. */
public record Caller(Account account, TokenGrant token) {

    public boolean viaToken() {
        return token != null;
    }

    public boolean instructor() {
        return account.role() == Role.INSTRUCTOR || account.role() == Role.ADMIN;
    }

    public boolean admin() {
        return account.role() == Role.ADMIN;
    }
}
