package dev.servicelab.grading;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook delivery and its retries: attempt n (from 1) that fails waits
 * {@code min(initialBackoff * multiplier^(n-1), maxBackoff)} before the next; after
 * {@code maxAttempts} the delivery is FAILED.
 *
 * @param pollInterval how often due deliveries are looked for
 * @param timeout how long a receiver may take to answer
 * @param batchSize deliveries sent per poll at most
 */
@ConfigurationProperties("servicelab.webhooks")
public record WebhookProperties(
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("10s") Duration timeout,
        @DefaultValue("5s") Duration initialBackoff,
        @DefaultValue("3.0") double multiplier,
        @DefaultValue("1h") Duration maxBackoff,
        @DefaultValue("10") int maxAttempts,
        @DefaultValue("20") int batchSize) {

    public Duration backoff(int attemptsMade) {
        double seconds = initialBackoff.toMillis() / 1000.0 * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
        long millis = (long) Math.min(seconds * 1000, maxBackoff.toMillis());
        return Duration.ofMillis(millis);
    }
}
