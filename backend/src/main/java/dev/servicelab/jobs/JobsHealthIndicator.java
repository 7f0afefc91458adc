package dev.servicelab.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component "jobs": each job's last successful run; DOWN when one has not
 * succeeded for {@value #STALE_PERIODS} of its periods (at least a minute), so an operator sees
 * background work that has stopped making progress (for example while the database is unreachable).
 */
@Component("jobsHealthIndicator")
class JobsHealthIndicator implements HealthIndicator {

    static final int STALE_PERIODS = 5;

    private final Jobs jobs;
    private final Clock clock;

    @org.springframework.beans.factory.annotation.Autowired
    JobsHealthIndicator(Jobs jobs) {
        this(jobs, Clock.systemUTC());
    }

    JobsHealthIndicator(Jobs jobs, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        boolean up = true;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Jobs.Job job : jobs.all()) {
            Duration stale = job.period().multipliedBy(STALE_PERIODS);
            if (stale.compareTo(Duration.ofMinutes(1)) < 0) {
                stale = Duration.ofMinutes(1);
            }
            boolean ok = !job.lastSuccessOrStart().plus(stale).isBefore(now);
            up &= ok;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("status", ok ? "UP" : "DOWN");
            d.put("lastSuccess", job.lastSuccess() == null ? "never" : job.lastSuccess().toString());
            if (job.failuresInARow() > 0) {
                d.put("failuresInARow", job.failuresInARow());
                d.put("lastError", job.lastError());
            }
            details.put(job.name(), d);
        }
        return (up ? Health.up() : Health.down()).withDetails(details).build();
    }
}
