package dev.servicelab.terminal;

import dev.servicelab.live.LiveThreads;
import dev.servicelab.security.Account;
import dev.servicelab.jobs.Jobs;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.sandbox.SandboxHandles;
import dev.servicelab.sandbox.SandboxService;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** The open shells of this server, one per sandbox and tab, shared by every client that attaches. */
@Service
class TerminalService {

    private final SandboxService sandboxes;
    private final TerminalProperties properties;
    private final Map<String, Shell> shells = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> watchers = new ConcurrentHashMap<>();
    /** Per sandbox with open shells: the subscription that closes them when the sandbox ends. */
    private final Map<String, SandboxHandles.Subscription> endings = new ConcurrentHashMap<>();
    private final LiveThreads threads;

    TerminalService(SandboxService sandboxes, TerminalProperties properties, Jobs jobs, LiveThreads threads) {
        this.sandboxes = sandboxes;
        this.properties = properties;
        this.threads = threads;
        jobs.every("terminal-reaper", Duration.ofMinutes(1), this::closeIdle);
    }

    /** The learner's shell for a lab and tab, attaching to the one already open or opening it. */
    Shell shell(Account owner, String labId, String tab) {
        SandboxHandle sandbox = sandboxes.ready(owner, labId);
        String key = sandbox.id() + "/" + tab;
        endings.computeIfAbsent(sandbox.id(), id -> sandbox.whenGone(() -> closeAll(id)));
        return shells.compute(key, (k, existing) -> existing != null && existing.open() ? existing
                : new Shell(k, tab, sandbox.client(), sandbox::active, (int) properties.replayBuffer().toBytes(),
                        properties.maxOutputRate().toBytes(), threads));
    }

    /** The sandbox ended: its shells close, and their clients are told the shell exited. */
    private void closeAll(String sandboxId) {
        endings.remove(sandboxId);
        shells.entrySet().removeIf(entry -> {
            if (entry.getKey().startsWith(sandboxId + "/")) {
                entry.getValue().close();
                return true;
            }
            return false;
        });
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
        shells.values().forEach(Shell::close);
    }
}
