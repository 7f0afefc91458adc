package dev.servicelab.problem;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds RFC 9457 problem details with a stable {@code type} per kind of problem, and writes them
 * where Spring MVC's own handling does not reach (the security filters).
 */
@Component
public class Problems {

    /** Problem types are relative URIs under /problems, documented in the OpenAPI description. */
    public static URI type(String slug) {
        return URI.create("/problems/" + slug);
    }

    public static ProblemDetail of(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    public AuthenticationEntryPoint entryPoint() {
        return (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Basic realm=\"ServiceLab\"");
            write(response, of(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign-in required",
                    "This API needs a signed-in session or credentials in the Authorization header."), request.getRequestURI());
        };
    }

    public AccessDeniedHandler accessDenied() {
        return (request, response, e) -> write(response, of(HttpStatus.FORBIDDEN, "forbidden", "Not allowed",
                "Your account may not do this. If you should, ask an instructor or admin for access. "
                        + "(A browser request without its CSRF token is refused the same way: reload the page.)"),
                request.getRequestURI());
    }

    private void write(HttpServletResponse response, ProblemDetail problem, String path) throws IOException {
        problem.setInstance(URI.create(path));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
