package dev.servicelab.security;

import java.time.Duration;
import org.springframework.security.core.AuthenticationException;

/** A sign-in refused before its password was checked, because too many failed recently. */
public class TooManyAttemptsException extends AuthenticationException {

    private final Duration retryAfter;

    public TooManyAttemptsException(Duration retryAfter) {
        super(SignInThrottle.message(retryAfter));
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
