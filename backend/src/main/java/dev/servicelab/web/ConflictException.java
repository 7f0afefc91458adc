package dev.servicelab.web;

/** The request is well-formed but the current state does not allow it. */
public class ConflictException extends RuntimeException {

    private final String slug;
    private final String title;

    public ConflictException(String slug, String title, String message) {
        super(message);
        this.slug = slug;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
