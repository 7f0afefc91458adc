package dev.servicelab.sandbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Learners' tunnels across replicas.
 *
 * @param lease how long a replica holds a tunnel without renewing it (it renews every second); when
 *     a replica disappears without handing its tunnels over, another takes them over after this long
 */
@Validated
@ConfigurationProperties("servicelab.tunnels")
public record TunnelProperties(@DefaultValue("10s") Duration lease) {

    /** How often the holder renews its leases and gives new LoadBalancer Services their external IP. */
    public static final Duration TICK = Duration.ofSeconds(1);

    public TunnelProperties {
        if (lease.compareTo(TICK.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("servicelab.tunnels.lease must be at least 2s, two renewals (it is " + lease
                    + "); shorter, a replica busy for a moment would lose its tunnels to another.");
        }
    }
}
