package dev.servicelab.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by an API token: its name is the owner's username (so existing code that
 * resolves the principal finds the owner), its authorities are the token's scopes only (no roles).
 */
public final class ApiTokenAuthentication extends AbstractAuthenticationToken {

    private final String username;
    private final TokenGrant grant;

    ApiTokenAuthentication(String username, TokenGrant grant) {
        super(grant.scopes().stream().map(s -> new SimpleGrantedAuthority(s.authority())).toList());
        this.username = username;
        this.grant = grant;
        setAuthenticated(true);
    }

    public TokenGrant grant() {
        return grant;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return username;
    }

    @Override
    public String getName() {
        return username;
    }

    List<String> scopeValues() {
        return grant.scopes().stream().map(Scope::value).sorted().toList();
    }
}
