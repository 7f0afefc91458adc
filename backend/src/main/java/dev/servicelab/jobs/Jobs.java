package dev.servicelab.jobs;

import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the platform's periodic jobs (reapers, tunnels, sweeps) on a small shared pool. A job that
 * throws is logged and runs again on its next tick: a raw ScheduledExecutorService silently stops a
 * task after its first exception, which is how a database outage once stopped all housekeeping.
 */
@Component
public class Jobs {

    private static final Logger log = LoggerFactory.getLogger(Jobs.class);

    private final ScheduledExecutorService pool;
    private final Clock clock;
    private final List<Job> jobs = new CopyOnWriteArrayList<>();

    public Jobs() {
        this(Clock.systemUTC(), 2);
    }

    Jobs(Clock clock, int threads) {
        this.clock = clock;
        AtomicInteger counter = new AtomicInteger();
        this.pool = Executors.newScheduledThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "job-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code task} every {@code period} (after the previous run ends), first after one period. */
    public Job every(String name, Duration period, Runnable task) {
        Job job = new Job(name, period, clock.instant());
        long millis = Math.max(1, period.toMillis());
        job.future = pool.scheduleWithFixedDelay(() -> job.run(task, clock), millis, millis, TimeUnit.MILLISECONDS);
        jobs.add(job);
        return job;
    }

    /** The jobs registered so far, for health reporting. */
    public List<Job> all() {
        return List.copyOf(jobs);
    }

    @PreDestroy
    void shutdown() {
        pool.shutdownNow();
    }

    /** One periodic job and what is known of its runs. */
    public static final class Job {
        private final String name;
        private final Duration period;
        private final Instant registeredAt;
        private volatile Instant lastSuccess;
        private volatile Instant lastFailure;
        private volatile String lastError;
        private final AtomicInteger failuresInARow = new AtomicInteger();
        private volatile ScheduledFuture<?> future;

        Job(String name, Duration period, Instant registeredAt) {
            this.name = name;
            this.period = period;
            this.registeredAt = registeredAt;
        }

        void run(Runnable task, Clock clock) {
            try {
                task.run();
                lastSuccess = clock.instant();
                failuresInARow.set(0);
            } catch (Throwable e) { // NOPMD: a job must survive anything, or it never runs again
                lastFailure = clock.instant();
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                int n = failuresInARow.incrementAndGet();
                if (n == 1 || n % 20 == 0) {
                    log.warn("Job {} failed ({} in a row); it runs again in {}", name, n, period, e);
                }
            }
        }

        public String name() {
            return name;
        }

        public Duration period() {
            return period;
        }

        /** The last successful run, or when the job was registered if it has not succeeded yet. */
        public Instant lastSuccessOrStart() {
            return lastSuccess != null ? lastSuccess : registeredAt;
        }

        public Instant lastSuccess() {
            return lastSuccess;
        }

        public Instant lastFailure() {
            return lastFailure;
        }

        public String lastError() {
            return lastError;
        }

        public int failuresInARow() {
            return failuresInARow.get();
        }

        public void cancel() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
