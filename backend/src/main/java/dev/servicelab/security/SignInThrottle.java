package dev.servicelab.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed sign-ins per client address and per username, and sign-up attempts per address, in
 * fixed windows. The counts live in this replica's memory: with several replicas each allows the
 * limits, so a client spread over N replicas gets at most N times as many tries, which still stops
 * guessing. Unknown usernames are counted like existing ones, so a refusal says nothing about which
 * accounts exist.
 */
public class SignInThrottle {

    /** Keys are attacker-chosen (addresses, usernames): past this many, expired windows are dropped first. */
    static final int MAX_TRACKED = 100_000;

    private record Window(Instant start, int count) {
    }

    private final SignInProperties.Limits limits;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public SignInThrottle(SignInProperties.Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** How long this sign-in must wait, if its address or username used up its failures. */
    public Optional<Duration> signInBlocked(String address, String username) {
        Instant now = clock.instant();
        Optional<Duration> byAddress = blocked(addressKey(address), limits.failuresPerAddress(), now);
        Optional<Duration> byAccount = blocked(accountKey(username), limits.failuresPerAccount(), now);
        if (byAddress.isPresent() && byAccount.isPresent()) {
            return Optional.of(byAddress.get().compareTo(byAccount.get()) > 0 ? byAddress.get() : byAccount.get());
        }
        return byAddress.isPresent() ? byAddress : byAccount;
    }

    public void signInFailed(String address, String username) {
        count(addressKey(address));
        count(accountKey(username));
    }

    /** A successful sign-in forgives the username's earlier failures (not the address's). */
    public void signInSucceeded(String username) {
        windows.remove(accountKey(username));
    }

    /** Counts a sign-up attempt; empty when it may go ahead, else how long to wait. */
    public Optional<Duration> signUpAttempt(String address) {
        String key = "signup:" + address;
        Instant now = clock.instant();
        Optional<Duration> blocked = blocked(key, limits.signupsPerAddress(), now);
        if (blocked.isEmpty()) {
            count(key);
        }
        return blocked;
    }

    public static String message(Duration retryAfter) {
        long minutes = Math.max(1, (retryAfter.toSeconds() + 59) / 60);
        return "Too many attempts. Wait " + minutes + (minutes == 1 ? " minute" : " minutes") + " and try again.";
    }

    private Optional<Duration> blocked(String key, int limit, Instant now) {
        Window window = windows.get(key);
        if (window == null || expired(window, now) || window.count() < limit) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, window.start().plus(limits.window()));
        return Optional.of(left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left);
    }

    private void count(String key) {
        Instant now = clock.instant();
        if (windows.size() >= MAX_TRACKED && !windows.containsKey(key)) {
            windows.values().removeIf(w -> expired(w, now));
        }
        windows.compute(key, (k, w) -> w == null || expired(w, now) ? new Window(now, 1) : new Window(w.start(), w.count() + 1));
    }

    private boolean expired(Window window, Instant now) {
        return !now.isBefore(window.start().plus(limits.window()));
    }

    private static String addressKey(String address) {
        return "address:" + address;
    }

    private static String accountKey(String username) {
        return "account:" + (username == null ? "" : username.strip().toLowerCase(Locale.ROOT));
    }
}
