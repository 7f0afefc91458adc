package dev.servicelab.security;

import dev.servicelab.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answer to a throttled sign-in or sign-up: HTTP 429 with {@code Retry-After}, as a
 * {@code /problems/too-many-attempts} problem detail for API clients and as the sign-in page with a
 * readable message for browsers.
 */
@Component
public class TooManyAttempts {

    /** Where a throttled browser sign-in is forwarded to be shown the sign-in page with status 429. */
    public static final String PAGE = "/login/too-many-attempts";
    public static final String MESSAGE_ATTRIBUTE = TooManyAttempts.class.getName() + ".message";

    private final JsonMapper json;

    TooManyAttempts(JsonMapper json) {
        this.json = json;
    }

    static ProblemDetail problem(Duration retryAfter) {
        return Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too-many-attempts", "Too many attempts", SignInThrottle.message(retryAfter));
    }

    public static ResponseEntity<ProblemDetail> response(Duration retryAfter) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER, seconds(retryAfter))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem(retryAfter));
    }

    public static String seconds(Duration retryAfter) {
        return String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
    }

    /** HTTP Basic: a throttled attempt is a 429, any other failure goes to {@code otherwise}. */
    AuthenticationEntryPoint entryPoint(AuthenticationEntryPoint otherwise) {
        return (request, response, e) -> {
            if (e instanceof TooManyAttemptsException tooMany) {
                writeProblem(request, response, tooMany.retryAfter());
            } else {
                otherwise.commence(request, response, e);
            }
        };
    }

    /** The sign-in form: a throttled attempt is a 429 page (or problem), any other failure the usual "?error". */
    AuthenticationFailureHandler formFailure() {
        AuthenticationFailureHandler otherwise = new SimpleUrlAuthenticationFailureHandler("/login?error");
        return (request, response, e) -> {
            if (!(e instanceof TooManyAttemptsException tooMany)) {
                otherwise.onAuthenticationFailure(request, response, e);
            } else if (wantsHtml(request)) {
                response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
                response.setHeader(HttpHeaders.RETRY_AFTER, seconds(tooMany.retryAfter()));
                request.setAttribute(MESSAGE_ATTRIBUTE, tooMany.getMessage());
                request.getRequestDispatcher(PAGE).forward(request, response);
            } else {
                writeProblem(request, response, tooMany.retryAfter());
            }
        };
    }

    private void writeProblem(HttpServletRequest request, HttpServletResponse response, Duration retryAfter)
            throws java.io.IOException {
        ProblemDetail problem = problem(retryAfter);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, seconds(retryAfter));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    private static boolean wantsHtml(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept == null || accept.contains("text/html") || accept.contains("*/*") && !accept.contains("json");
    }
}
