package dev.servicelab.security;

import dev.servicelab.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates {@code Authorization: Bearer <token>} on the API. A bad, revoked or expired token is
 * refused here with a problem detail (not passed on as anonymous), and tokens reach only the
 * cohort API: they grade, they do not act as their owner elsewhere. Not a bean, so that Spring Boot
 * does not also register it on every request outside the API's security chain.
 */
final class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

    /** Where tokens are accepted. */
    static final String TOKEN_PATHS = "/api/v1/cohorts";

    private final ApiTokenService tokens;
    private final JsonMapper json;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiTokenAuthenticationFilter(ApiTokenService tokens, JsonMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        ApiTokenService.Verdict verdict = tokens.authenticate(header.substring(7).strip());
        if (verdict instanceof ApiTokenService.Refused refused) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"ServiceLab\", error=\"invalid_token\"");
            write(request, response, Problems.of(HttpStatus.UNAUTHORIZED, "invalid-token", "Invalid API token", refused.reason()));
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (!path.equals(TOKEN_PATHS) && !path.startsWith(TOKEN_PATHS + "/")) {
            write(request, response, Problems.of(HttpStatus.FORBIDDEN, "token-not-allowed", "Not for API tokens",
                    "API tokens reach only the grading API under " + TOKEN_PATHS + ". Sign in with your password for anything else."));
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(((ApiTokenService.Accepted) verdict).authentication());
        contexts.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }

    private void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException {
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
