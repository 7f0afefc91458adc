package dev.servicelab.cohort;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Cohorts' scheduled sessions.
 *
 * @param prewarmLead how long before a session's start its learners' sandboxes are pre-warmed, and how
 *     long after the start the raised pool stays (latecomers still find one)
 * @param prewarmInterval how often the pool is sized for the sessions near their start
 */
@Validated
@ConfigurationProperties("servicelab.cohorts.sessions")
public record SessionProperties(@DefaultValue("10m") Duration prewarmLead, @DefaultValue("15s") Duration prewarmInterval) {

    public SessionProperties {
        if (prewarmLead.isNegative()) {
            throw new IllegalArgumentException("servicelab.cohorts.sessions.prewarm-lead must not be negative (it is "
                    + prewarmLead + "); 0s turns pre-warming off.");
        }
        if (prewarmInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("servicelab.cohorts.sessions.prewarm-interval must be at least 1s (it is "
                    + prewarmInterval + ").");
        }
    }
}
