package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Failed sign-ins and sign-ups are counted per address and per username, in windows that end. */
class SignInThrottleTest {

    /** A clock the test moves by hand. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();
    private final SignInThrottle throttle = new SignInThrottle(new SignInProperties.Limits(Duration.ofMinutes(15), 3, 5, 2), clock);

    @Test
    void aUsernameIsRefusedAfterItsFailuresUntilTheWindowEnds() {
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.signInBlocked("10.0.0.1", "ada")).isEmpty();
            throttle.signInFailed("10.0.0.1", "ada");
        }
        clock.advance(Duration.ofMinutes(5));
        assertThat(throttle.signInBlocked("10.0.0.9", "ADA")).as("another address, same name in other case")
                .contains(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.signInBlocked("10.0.0.9", "ada")).isEmpty();
    }

    @Test
    void anAddressIsRefusedAfterItsFailuresWhicheverNamesItTried() {
        for (int i = 0; i < 5; i++) {
            throttle.signInFailed("10.0.0.2", "user" + i);
        }
        assertThat(throttle.signInBlocked("10.0.0.2", "someone-else")).isPresent();
        assertThat(throttle.signInBlocked("10.0.0.3", "someone-else")).isEmpty();
    }

    @Test
    void aSuccessfulSignInForgivesTheUsernamesEarlierFailures() {
        throttle.signInFailed("10.0.0.4", "grace");
        throttle.signInFailed("10.0.0.4", "grace");
        throttle.signInSucceeded("grace");
        throttle.signInFailed("10.0.0.4", "grace");
        assertThat(throttle.signInBlocked("10.0.0.5", "grace")).isEmpty();
    }

    @Test
    void signUpsAreCountedPerAddress() {
        assertThat(throttle.signUpAttempt("10.0.0.6")).isEmpty();
        assertThat(throttle.signUpAttempt("10.0.0.6")).isEmpty();
        assertThat(throttle.signUpAttempt("10.0.0.6")).contains(Duration.ofMinutes(15));
        assertThat(throttle.signUpAttempt("10.0.0.7")).isEmpty();
        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.signUpAttempt("10.0.0.6")).isEmpty();
    }

    @Test
    void theMessageSaysHowLongToWaitInWholeMinutes() {
        assertThat(SignInThrottle.message(Duration.ofSeconds(61))).isEqualTo("Too many attempts. Wait 2 minutes and try again.");
        assertThat(SignInThrottle.message(Duration.ofSeconds(5))).isEqualTo("Too many attempts. Wait 1 minute and try again.");
    }
}
