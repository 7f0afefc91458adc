package dev.servicelab.events;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a replica listens for the other replicas' events.
 *
 * @param reconnectMin the first wait after the listening connection is lost; it doubles on every failure
 * @param reconnectMax the longest wait between two attempts to listen again
 * @param idleCheck how long the connection may stay quiet before a query checks that it still works
 */
@Validated
@ConfigurationProperties("servicelab.events")
public record ClusterEventsProperties(
        @DefaultValue("500ms") Duration reconnectMin,
        @DefaultValue("30s") Duration reconnectMax,
        @DefaultValue("10s") Duration idleCheck) {

    public ClusterEventsProperties {
        if (reconnectMin.isNegative() || reconnectMin.isZero() || reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("servicelab.events.reconnect-min must be positive and at most reconnect-max "
                    + "(they are " + reconnectMin + " and " + reconnectMax + ").");
        }
        if (idleCheck.toMillis() < 1) {
            throw new IllegalArgumentException("servicelab.events.idle-check must be at least 1ms (it is " + idleCheck + ").");
        }
    }
}
