package dev.servicelab.problem;

import org.springframework.http.HttpStatus;

/** Something the request names does not exist; the message says what and what to do instead. */
public class NotFoundException extends ApiException {

    public NotFoundException(String slug, String title, String message) {
        super(HttpStatus.NOT_FOUND, slug, title, message);
    }
}
