package dev.servicelab.web;

/** Something the request names does not exist; the message says what and what to do instead. */
public class NotFoundException extends RuntimeException {

    private final String slug;
    private final String title;

    public NotFoundException(String slug, String title, String message) {
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
