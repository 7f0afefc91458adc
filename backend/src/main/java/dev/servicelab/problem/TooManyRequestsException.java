package dev.servicelab.problem;

import org.springframework.http.HttpStatus;

/** An account already runs as many of something as it may at once: 429, /problems/too-many-requests. */
public class TooManyRequestsException extends ApiException {

    public TooManyRequestsException(String message) {
        super(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", "Too many at once", message);
    }
}
