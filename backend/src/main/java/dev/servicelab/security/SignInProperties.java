package dev.servicelab.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Sign-in settings, under the accounts' prefix where operators know them
 * ({@code servicelab.accounts.trust-forwarded-for}, {@code servicelab.accounts.limits.*}).
 *
 * @param trustForwardedFor whether the client address is the last one in {@code X-Forwarded-For}
 *     (only behind a proxy that sets it: anybody else can write that header)
 * @param limits how many sign-ins may fail and how many sign-ups may be tried before HTTP 429
 */
@ConfigurationProperties("servicelab.accounts")
@Validated
public record SignInProperties(
        @DefaultValue("false") boolean trustForwardedFor,
        @DefaultValue @Valid Limits limits) {

    /**
     * Counted per replica in memory, in fixed windows: a client is refused until its window ends.
     *
     * @param window how long failures (and sign-ups) are counted before the count starts again
     * @param failuresPerAccount failed sign-ins on one username (existing or not) per window
     * @param failuresPerAddress failed sign-ins from one client address per window
     * @param signupsPerAddress sign-up attempts from one client address per window
     */
    public record Limits(
            @DefaultValue("15m") @NotNull Duration window,
            @DefaultValue("10") @Min(1) int failuresPerAccount,
            @DefaultValue("100") @Min(1) int failuresPerAddress,
            @DefaultValue("30") @Min(1) int signupsPerAddress) {
    }
}
