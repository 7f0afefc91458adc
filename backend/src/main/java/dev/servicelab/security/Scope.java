package dev.servicelab.security;

import java.util.Arrays;
import java.util.Optional;

/** What an API token may do. Signed-in instructors may do all of it for their own cohorts. */
public enum Scope {
    RESULTS_READ("results:read"),
    COHORTS_READ("cohorts:read"),
    WEBHOOKS_MANAGE("webhooks:manage");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The Spring Security authority a token with this scope carries. */
    public String authority() {
        return "SCOPE_" + value;
    }

    public static Optional<Scope> of(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }
}
