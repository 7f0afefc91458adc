package dev.servicelab.problem;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * An API refusal with its problem detail already written (status, a stable /problems/{slug} type, a
 * short title, and a message that says what to do next). Spring MVC answers it as is.
 */
public class ApiException extends ErrorResponseException {

    private final String slug;

    public ApiException(HttpStatus status, String slug, String title, String detail) {
        super(status, Problems.of(status, slug, title, detail), null);
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return getBody().getTitle();
    }

    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
