package dev.servicelab.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Counts each account's open live sockets on this server (terminal and traffic together) and refuses
 * one past {@link LimitsProperties#maxSocketsPerAccount()}: every socket holds a sender thread and a
 * queue, so they are rationed per account, not first come first served.
 */
@Component
public class SocketQuota {

    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final LimitsProperties limits;

    SocketQuota(LimitsProperties limits) {
        this.limits = limits;
    }

    /** Takes a place for one more socket of {@code account}, or says why there is none. */
    public void acquire(String account) {
        AtomicInteger count = open.computeIfAbsent(account, a -> new AtomicInteger());
        if (count.incrementAndGet() > limits.maxSocketsPerAccount()) {
            count.decrementAndGet();
            throw new WatchAccess.Refused("You have " + limits.maxSocketsPerAccount() + " terminals and traffic views open "
                    + "already, the most one account may have. Close some tabs or windows, then reload this one.");
        }
    }

    /** Gives back the place of a socket that {@link #acquire} admitted. */
    public void release(String account) {
        open.computeIfPresent(account, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public int open(String account) {
        AtomicInteger count = open.get(account);
        return count == null ? 0 : count.get();
    }
}
