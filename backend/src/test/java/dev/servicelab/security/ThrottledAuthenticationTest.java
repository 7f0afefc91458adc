package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/** Sign-in hashes every presented password once (known user or not) unless the throttle refuses first. */
class ThrottledAuthenticationTest {

    /** The platform's encoder, counting how often a password is checked against a hash. */
    private static final class CountingEncoder implements PasswordEncoder {
        private final PasswordEncoder real = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        final AtomicInteger matches = new AtomicInteger();

        @Override
        public String encode(CharSequence raw) {
            return real.encode(raw);
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            matches.incrementAndGet();
            return real.matches(raw, encoded);
        }
    }

    private final CountingEncoder encoder = new CountingEncoder();
    private final String adaHash = encoder.encode("correct-password");
    private final SignInThrottle throttle = new SignInThrottle(new SignInProperties.Limits(Duration.ofMinutes(15), 2, 100, 30),
            Clock.systemUTC());
    private final ThrottledAuthentication authentication = new ThrottledAuthentication(throttle, username -> {
        if (!username.equals("ada")) {
            throw new UsernameNotFoundException("no " + username);
        }
        return User.withUsername("ada").password(adaHash).roles("LEARNER").build();
    }, encoder);

    private static UsernamePasswordAuthenticationToken attempt(String username, String password) {
        var token = UsernamePasswordAuthenticationToken.unauthenticated(username, password);
        token.setDetails(new WebAuthenticationDetails("192.0.2.1", null));
        return token;
    }

    @Test
    void anUnknownUserFailsLikeAWrongPasswordAfterHashingAsMuch() {
        assertThatThrownBy(() -> authentication.authenticate(attempt("ada", "wrong-password")))
                .isInstanceOf(BadCredentialsException.class).hasMessage("Bad credentials");
        int forKnownUser = encoder.matches.getAndSet(0);
        assertThatThrownBy(() -> authentication.authenticate(attempt("nobody", "wrong-password")))
                .isInstanceOf(BadCredentialsException.class).hasMessage("Bad credentials");
        assertThat(encoder.matches.get()).as("bcrypt runs for an unknown user too").isEqualTo(forKnownUser).isEqualTo(1);
    }

    @Test
    void afterTheFailuresTheRightPasswordIsRefusedWithoutHashing() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> authentication.authenticate(attempt("ada", "wrong-password")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        encoder.matches.set(0);
        assertThatThrownBy(() -> authentication.authenticate(attempt("ada", "correct-password")))
                .isInstanceOf(TooManyAttemptsException.class)
                .satisfies(e -> assertThat(((TooManyAttemptsException) e).retryAfter()).isPositive());
        assertThat(encoder.matches.get()).isZero();
    }

    @Test
    void unknownUsernamesAreRefusedAlikeOnceTheyFailedAsOften() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> authentication.authenticate(attempt("nobody", "x"))).isInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> authentication.authenticate(attempt("nobody", "x"))).isInstanceOf(TooManyAttemptsException.class);
    }

    @Test
    void theRightPasswordSignsIn() {
        assertThat(authentication.authenticate(attempt("ada", "correct-password")).isAuthenticated()).isTrue();
    }
}
