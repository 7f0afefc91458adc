package dev.servicelab.security;

import dev.servicelab.problem.TooManyRequestsException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Caps how many of one kind of work run at once per key (an account, an account and a lab), so one
 * learner cannot hold the server's threads: the next one is refused with a problem detail that says
 * what to wait for, instead of queueing.
 */
public final class InFlight {

    /** Held while the work runs; closing it lets the next one in. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final int max;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();

    public InFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        this.max = max;
    }

    /** A permit for the key, or TooManyRequestsException with the given message when the key is at its cap. */
    public Permit acquire(String key, Supplier<String> refusal) {
        boolean[] granted = {false};
        running.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            granted[0] = now < max;
            return granted[0] ? now + 1 : now;
        });
        if (!granted[0]) {
            throw new TooManyRequestsException(refusal.get());
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                running.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        };
    }

    public int max() {
        return max;
    }
}
