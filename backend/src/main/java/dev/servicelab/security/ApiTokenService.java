package dev.servicelab.security;

import dev.servicelab.problem.ApiProblem;

import dev.servicelab.problem.NotFoundException;
import jakarta.servlet.Filter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * API tokens: {@code slt_<prefix>_<secret>}. Only the SHA-256 of the whole token is stored, with the
 * prefix to find its row; a token is shown once, when it is created, and can be revoked.
 */
@Service
public class ApiTokenService {

    /** A new token, the only time its secret is visible. */
    public record CreatedToken(ApiToken token, String secret) {
    }

    /** The outcome of presenting a token: an authentication, or why there is none. */
    sealed interface Verdict permits Accepted, Refused {
    }

    record Accepted(ApiTokenAuthentication authentication) implements Verdict {
    }

    record Refused(String reason) implements Verdict {
    }

    private static final Pattern FORMAT = Pattern.compile("slt_([a-z0-9]{10})_([A-Za-z0-9]{32})");
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final ApiTokenRepository tokens;
    private final CallerAccess access;
    private final JsonMapper json;
    private final SecureRandom random = new SecureRandom();

    ApiTokenService(ApiTokenRepository tokens, CallerAccess access, JsonMapper json) {
        this.tokens = tokens;
        this.access = access;
        this.json = json;
    }

    /** The filter that authenticates {@code Authorization: Bearer} requests, for the API's security chain. */
    public Filter filter() {
        return new ApiTokenAuthenticationFilter(this, json);
    }

    public CreatedToken create(Caller owner, String name, List<String> scopes, Long cohortId, Instant expiresAt) {
        if (name == null || name.isBlank() || name.strip().length() > 128) {
            throw invalid("Name the token (1 to 128 characters), e.g. after the grader that will use it.");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw invalid("Give the token at least one scope: " + allScopes() + ".");
        }
        Set<Scope> granted = EnumSet.noneOf(Scope.class);
        for (String scope : scopes) {
            granted.add(Scope.of(scope).orElseThrow(() -> invalid("Unknown scope '" + scope + "'. Scopes are " + allScopes() + ".")));
        }
        if (cohortId != null) {
            access.requireCohort(owner, cohortId); // refuses cohorts that are not the caller's
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw invalid("expiresAt " + expiresAt + " is in the past; give a future instant or none.");
        }
        String prefix = randomString("abcdefghijklmnopqrstuvwxyz0123456789", 10);
        String secret = "slt_" + prefix + "_" + randomString(ALPHANUMERIC, 32);
        List<String> values = granted.stream().map(Scope::value).toList();
        ApiToken token = tokens.insert(owner.account().id(), name.strip(), prefix, sha256(secret), values, cohortId, expiresAt);
        return new CreatedToken(token, secret);
    }

    public List<ApiToken> list(Account owner) {
        return tokens.owned(owner.id());
    }

    public ApiToken revoke(Account owner, long id) {
        var stored = tokens.find(id).filter(t -> t.ownerId() == owner.id() || owner.role() == Role.ADMIN)
                .orElseThrow(() -> new NotFoundException("token-not-found", "No such token",
                        "You have no API token " + id + ". GET /api/v1/tokens lists yours."));
        tokens.revoke(stored.token().id());
        return tokens.find(id).orElseThrow().token();
    }

    Verdict authenticate(String presented) {
        Matcher m = FORMAT.matcher(presented);
        if (!m.matches()) {
            return new Refused("This is not a ServiceLab API token (they look like slt_<10 characters>_<32 characters>). "
                    + "Copy the whole token you were shown when it was created.");
        }
        var stored = tokens.byPrefix(m.group(1)).orElse(null);
        // Compare in constant time, and refuse an unknown prefix the same way as a wrong secret.
        byte[] expected = (stored == null ? sha256("") : stored.hash()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, sha256(presented).getBytes(StandardCharsets.US_ASCII)) || stored == null) {
            return new Refused("This API token is not valid. Create a new one (POST /api/v1/tokens or /instructor/tokens).");
        }
        ApiToken token = stored.token();
        if (token.revokedAt() != null) {
            return new Refused("This API token was revoked on " + token.revokedAt() + ". Create a new one.");
        }
        if (token.expiresAt() != null && !token.expiresAt().isAfter(Instant.now())) {
            return new Refused("This API token expired on " + token.expiresAt() + ". Create a new one.");
        }
        var owner = tokens.owner(stored.ownerId());
        if (!owner.enabled() || Role.valueOf(owner.role()) == Role.LEARNER) {
            return new Refused("The account that owns this API token may no longer use the grading API.");
        }
        tokens.used(token.id());
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        token.scopes().forEach(s -> Scope.of(s).ifPresent(scopes::add));
        return new Accepted(new ApiTokenAuthentication(owner.username(),
                new TokenGrant(token.id(), token.prefix(), scopes, token.cohortId())));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomString(String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static List<String> allScopes() {
        List<String> all = new ArrayList<>();
        for (Scope s : Scope.values()) {
            all.add(s.value());
        }
        return all;
    }

    private static ApiProblem invalid(String detail) {
        return ApiProblem.badRequest("invalid-token-request", "The token cannot be created", detail);
    }
}
