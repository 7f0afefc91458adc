package dev.servicelab.terminal;

import dev.servicelab.live.LiveThreads;
import dev.servicelab.provisioner.SandboxBootstrap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shell of a learner: a TTY exec into their terminal pod, running a tmux session named after the
 * tab, so the shell outlives this process, a page reload and a platform restart. Output is read on
 * a thread of its own, at a bounded rate, into an {@link OutputRing} that any number of clients read.
 */
final class Shell implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shell.class);

    final String key;
    private final Runnable onInput;
    private final ExecWatch exec;
    private final OutputStream stdin;
    private final OutputRing output;
    private final long bytesPerSecond;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile Instant lastActivity = Instant.now();
    private volatile Integer exitCode;

    /**
     * @param client the sandbox's shared client (not closed here)
     * @param onInput told of every keystroke batch: the learner is working
     * @param threads where the thread reading the shell's output comes from
     */
    Shell(String key, String tab, KubernetesClient client, Runnable onInput, int ringBytes, long bytesPerSecond,
            LiveThreads threads) {
        this.key = key;
        this.onInput = onInput;
        this.output = new OutputRing(ringBytes);
        this.bytesPerSecond = bytesPerSecond;
        String session = "tab" + tab;
        // tmux keeps the shell (and its screen) in the pod; without tmux, a plain login shell.
        String command = "if command -v tmux >/dev/null; then exec tmux new-session -A -s " + session
                + "; else exec bash -l; fi";
        this.exec = client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(SandboxBootstrap.TERMINAL_POD)
                .redirectingInput().redirectingOutput().withTTY().exec("sh", "-c", command);
        this.stdin = exec.getInput();
        try {
            threads.start("terminal-" + key, this::pump);
        } catch (LiveThreads.Busy busy) {
            exec.close();
            throw busy;
        }
        exec.exitCode().whenComplete((code, error) -> {
            exitCode = code == null ? -1 : code;
            close();
        });
    }

    OutputRing output() {
        return output;
    }

    boolean open() {
        return open.get();
    }

    Integer exitCode() {
        return exitCode;
    }

    Instant lastActivity() {
        return lastActivity;
    }

    void write(String keys) {
        lastActivity = Instant.now();
        onInput.run();
        try {
            stdin.write(keys.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            close();
        }
    }

    void resize(int cols, int rows) {
        if (cols > 0 && rows > 0 && cols < 1000 && rows < 500) {
            exec.resize(cols, rows);
        }
    }

    /** Reads output as it comes, slowing down past the rate limit so a flood waits in the pod, not here. */
    private void pump() {
        byte[] buffer = new byte[16 * 1024];
        long windowStart = System.nanoTime();
        long windowBytes = 0;
        try (InputStream out = exec.getOutput()) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                output.append(buffer, n);
                windowBytes += n;
                long elapsed = System.nanoTime() - windowStart;
                if (elapsed >= 1_000_000_000L) {
                    windowStart = System.nanoTime();
                    windowBytes = 0;
                } else if (windowBytes > bytesPerSecond) {
                    Thread.sleep((1_000_000_000L - elapsed) / 1_000_000L + 1);
                }
            }
        } catch (IOException | InterruptedException e) {
            log.debug("Terminal {} output ended: {}", key, e.getMessage());
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            exec.close();
            synchronized (output) {
                output.notifyAll();
            }
        }
    }
}
