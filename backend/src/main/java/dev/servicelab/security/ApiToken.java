package dev.servicelab.security;

import java.time.Instant;
import java.util.List;

/** An API token as listed: never the token itself, only its public prefix. */
public record ApiToken(long id, String name, String prefix, List<String> scopes, Long cohortId, Instant createdAt,
        Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {

    public ApiToken {
        scopes = List.copyOf(scopes);
    }

    public boolean active() {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(Instant.now()));
    }
}
