package dev.servicelab.security;

import java.util.Set;

/** What a presented API token grants: its scopes, and the one cohort it is limited to (null: any of its owner's). */
public record TokenGrant(long tokenId, String prefix, Set<Scope> scopes, Long cohortId) {

    public TokenGrant {
        scopes = Set.copyOf(scopes);
    }
}
