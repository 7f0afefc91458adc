package dev.servicelab.traffic;

import org.springframework.http.HttpStatus;

/** A traffic request that cannot be served; the message says what to do. */
final class TrafficException extends RuntimeException {

    private final HttpStatus status;
    private final String slug;
    private final String title;

    TrafficException(HttpStatus status, String slug, String title, String message) {
        super(message);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    HttpStatus status() {
        return status;
    }

    String slug() {
        return slug;
    }

    String title() {
        return title;
    }
}
