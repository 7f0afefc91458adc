package dev.servicelab.grading;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook delivery and its retries: attempt n (from 1) that fails waits
 * {@code min(initialBackoff * multiplier^(n-1), maxBackoff)} before the next; after
 * {@code maxAttempts} the delivery is FAILED.
 *
 * @param pollInterval how often due deliveries are looked for
 * @param connectTimeout how long connecting to a receiver may take
 * @param timeout how long a whole delivery may take, from connecting to the answer's status
 * @param batchSize deliveries claimed per poll at most
 * @param concurrency deliveries sent at once, each on a thread of the webhooks' own pool
 * @param allowedNetworks networks (CIDR) webhooks may reach although they are loopback, private,
 *     link-local or metadata addresses, which are refused otherwise; e.g. {@code 10.20.0.0/16} for a
 *     grader inside your network
 */
@ConfigurationProperties("servicelab.webhooks")
@Validated
public record WebhookProperties(
        @DefaultValue("1s") @NotNull Duration pollInterval,
        @DefaultValue("5s") @NotNull Duration connectTimeout,
        @DefaultValue("10s") @NotNull Duration timeout,
        @DefaultValue("5s") @NotNull Duration initialBackoff,
        @DefaultValue("3.0") @DecimalMin("1.0") double multiplier,
        @DefaultValue("1h") @NotNull Duration maxBackoff,
        @DefaultValue("10") @Min(1) int maxAttempts,
        @DefaultValue("20") @Min(1) int batchSize,
        @DefaultValue("4") @Min(1) int concurrency,
        @DefaultValue("") List<String> allowedNetworks) {

    public Duration backoff(int attemptsMade) {
        double seconds = initialBackoff.toMillis() / 1000.0 * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
        long millis = (long) Math.min(seconds * 1000, maxBackoff.toMillis());
        return Duration.ofMillis(millis);
    }
}
