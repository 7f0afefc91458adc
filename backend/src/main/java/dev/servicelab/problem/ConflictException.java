package dev.servicelab.problem;

import org.springframework.http.HttpStatus;

/** The request is well-formed but the current state does not allow it. */
public class ConflictException extends ApiException {

    public ConflictException(String slug, String title, String message) {
        super(HttpStatus.CONFLICT, slug, title, message);
    }
}
