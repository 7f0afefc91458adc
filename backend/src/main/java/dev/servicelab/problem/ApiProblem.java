package dev.servicelab.problem;

import org.springframework.http.HttpStatus;

/** Shorthands for the grading API's refusals. */
public class ApiProblem extends ApiException {

    public ApiProblem(HttpStatus status, String slug, String title, String detail) {
        super(status, slug, title, detail);
    }

    public static ApiProblem badRequest(String slug, String title, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, slug, title, detail);
    }

    public static ApiProblem forbidden(String slug, String title, String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, slug, title, detail);
    }
}
