package dev.servicelab.sandbox;

import dev.servicelab.provisioner.ProbePods;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a command in a pod and collects its output and exit code. What a pod prints is the learner's
 * to choose, so each stream is kept to {@link #MAX_OUTPUT} bytes: a command that prints more is
 * stopped there, and the timeout bounds how long it may take.
 */
public final class PodExec {

    /** How long recreating a probe pod that is not the platform's may take (a pod start on a busy host). */
    private static final Duration PROBE_RECREATE_TIMEOUT = Duration.ofMinutes(2);

    /** The most a command's output (each of stdout and stderr) may be. */
    public static final int MAX_OUTPUT = 64 * 1024;

    /**
     * What a command printed and how it ended; exitCode -1 means it did not finish in time, or was
     * stopped because its output went past {@link #MAX_OUTPUT} ({@code truncated}).
     */
    public record Result(int exitCode, String stdout, String stderr, boolean truncated) {

        public Result(int exitCode, String stdout, String stderr) {
            this(exitCode, stdout, stderr, false);
        }

        public boolean ok() {
            return exitCode == 0;
        }

        /** For a learner: why the output was cut. */
        public static String limit() {
            return "printed more than " + MAX_OUTPUT / 1024 + " KiB, the most a check reads";
        }
    }

    /**
     * Starts what a result says when the command did not run to its end (no exit code: the exec
     * failed, timed out or was interrupted): a fault of the platform's path into the sandbox, not
     * an answer of the learner's cluster.
     */
    public static final String NOT_RUN = "the command could not run to its end: ";

    private PodExec() {
    }

    /**
     * Runs a command in the platform's probe pod on the node of that role, after making sure the
     * probe is the one the platform created and sealed (recreating it if it was deleted, replaced
     * or changed): checks never trust a pod they did not make. Throws if the probe cannot be made
     * trustworthy, so that no verdict rests on it.
     */
    public static Result probe(KubernetesClient client, SandboxNode.Role role, Duration timeout, String... command) {
        return run(client, SandboxBootstrap.NAMESPACE, probePod(client, role), timeout, command);
    }

    /**
     * The name of the probe pod on the node of that role, once it is the one the platform created and
     * sealed (see {@link #probe}), for a caller that runs probes side by side and must make a replaced
     * probe only once.
     */
    public static String probePod(KubernetesClient client, SandboxNode.Role role) {
        return ProbePods.ensure(client, role, PROBE_RECREATE_TIMEOUT);
    }

    public static Result run(KubernetesClient client, String namespace, String pod, Duration timeout, String... command) {
        CompletableFuture<Void> full = new CompletableFuture<>();
        Bounded out = new Bounded(full);
        Bounded err = new Bounded(full);
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod)
                .writingOutput(out).writingError(err).exec(command)) {
            CompletableFuture.anyOf(watch.exitCode(), full).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (full.isDone()) {
                return new Result(-1, out.text(), "stopped: it " + Result.limit(), true);
            }
            return new Result(watch.exitCode().join(), out.text(), err.text());
        } catch (TimeoutException e) {
            return new Result(-1, out.text(), NOT_RUN + "timed out after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", NOT_RUN + "interrupted");
        } catch (Exception e) {
            return new Result(-1, out.text(), NOT_RUN + e.getMessage());
        }
    }

    /** Keeps the first MAX_OUTPUT bytes and says when there was more. */
    private static final class Bounded extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<Void> full;

        Bounded(CompletableFuture<Void> full) {
            this.full = full;
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = MAX_OUTPUT - kept.size();
            kept.write(b, off, Math.min(room, len));
            if (len > room) {
                full.complete(null);
            }
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
