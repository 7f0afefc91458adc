package dev.servicelab.terminal;

import dev.servicelab.account.Account;
import dev.servicelab.sandbox.Kubeconfigs;
import dev.servicelab.sandbox.Sandbox;
import dev.servicelab.sandbox.SandboxService;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** The open shells of this server, one per sandbox and tab, shared by every client that attaches. */
@Service
class TerminalService {

    private final SandboxService sandboxes;
    private final TerminalProperties properties;
    private final Map<String, Shell> shells = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> watchers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "terminal-reaper");
        thread.setDaemon(true);
        return thread;
    });

    TerminalService(SandboxService sandboxes, TerminalProperties properties) {
        this.sandboxes = sandboxes;
        this.properties = properties;
        reaper.scheduleWithFixedDelay(this::closeIdle, 1, 1, TimeUnit.MINUTES);
    }

    /** The learner's shell for a lab and tab, attaching to the one already open or opening it. */
    Shell shell(Account owner, String labId, String tab) {
        Sandbox sandbox = sandboxes.connection(owner, labId).orElseThrow(() -> new TerminalException(
                "Your cluster for this lab is not ready yet. Start it on the lab page; the terminal connects when it is ready."));
        String key = sandbox.id() + "/" + tab;
        return shells.compute(key, (k, existing) -> existing != null && existing.open() ? existing
                : new Shell(k, tab, Kubeconfigs.client(sandbox.kubeconfig()), (int) properties.replayBuffer().toBytes(),
                        properties.maxOutputRate().toBytes()));
    }

    void attached(Shell shell) {
        watchers.computeIfAbsent(shell.key, k -> new AtomicInteger()).incrementAndGet();
    }

    void detached(Shell shell) {
        watchers.computeIfAbsent(shell.key, k -> new AtomicInteger()).decrementAndGet();
    }

    int openShells() {
        return (int) shells.values().stream().filter(Shell::open).count();
    }

    /** Detaches shells nobody watches or types into; their tmux sessions stay in the pod. */
    private void closeIdle() {
        Instant cutoff = Instant.now().minus(properties.idleTimeout());
        shells.entrySet().removeIf(entry -> {
            Shell shell = entry.getValue();
            boolean idle = watchers.getOrDefault(entry.getKey(), new AtomicInteger()).get() <= 0
                    && shell.lastActivity().isBefore(cutoff);
            if (idle || !shell.open()) {
                shell.close();
                return true;
            }
            return false;
        });
    }

    @PreDestroy
    void shutdown() {
        reaper.shutdownNow();
        shells.values().forEach(Shell::close);
    }

    /** The terminal cannot open; the message says what to do. */
    static final class TerminalException extends RuntimeException {
        TerminalException(String message) {
            super(message);
        }
    }
}
