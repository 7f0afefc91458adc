package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxManager;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component "sandboxes": DOWN when housekeeping (dead nodes, expiry, the warm
 * pool) has not completed a round for {@value #STALE_ROUNDS} health intervals, for example while the
 * database is unreachable; UP again after the next round that completes.
 */
@Component("sandboxesHealthIndicator")
@ConditionalOnProperty(name = "servicelab.sandbox.enabled", havingValue = "true", matchIfMissing = true)
class SandboxHealthIndicator implements HealthIndicator {

    static final int STALE_ROUNDS = 5;

    private final SandboxManager manager;
    private final SandboxProperties properties;
    private final Instant started = Instant.now();

    SandboxHealthIndicator(SandboxManager manager, SandboxProperties properties) {
        this.manager = manager;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Instant last = manager.lastHousekeeping();
        Duration stale = properties.healthInterval().multipliedBy(STALE_ROUNDS).plusSeconds(10);
        boolean ok = (last != null ? last : started).plus(stale).isAfter(Instant.now());
        return (ok ? Health.up() : Health.down())
                .withDetail("lastHousekeeping", last == null ? "not yet" : last.toString())
                .withDetail("healthInterval", properties.healthInterval().toString())
                .build();
    }
}
