package dev.servicelab.grading;

import dev.servicelab.web.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * A refusal with its problem detail already written: Spring MVC's problem handling (the base class of
 * the API's exception handler) answers it as is, so no extra handler is needed for 400 and 403.
 */
public class ApiProblem extends ErrorResponseException {

    public ApiProblem(HttpStatus status, String slug, String title, String detail) {
        super(status, Problems.of(status, slug, title, detail), null);
    }

    public static ApiProblem badRequest(String slug, String title, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, slug, title, detail);
    }

    public static ApiProblem forbidden(String slug, String title, String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, slug, title, detail);
    }

    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
