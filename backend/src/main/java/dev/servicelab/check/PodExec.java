package dev.servicelab.check;

import dev.servicelab.sandbox.ProbePods;
import dev.servicelab.sandbox.SandboxBootstrap;
import dev.servicelab.sandbox.SandboxNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a command in a pod and collects its output and exit code. */
public final class PodExec {

    /** How long recreating a probe pod that is not the platform's may take (a pod start on a busy host). */
    private static final Duration PROBE_RECREATE_TIMEOUT = Duration.ofMinutes(2);

    /** What a command printed and how it ended; exitCode -1 means it did not finish in time. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private PodExec() {
    }

    /**
     * Runs a command in the platform's probe pod on the node of that role, after making sure the
     * probe is the one the platform created and sealed (recreating it if it was deleted, replaced
     * or changed): checks never trust a pod they did not make. Throws if the probe cannot be made
     * trustworthy, so that no verdict rests on it.
     */
    public static Result probe(KubernetesClient client, SandboxNode.Role role, Duration timeout, String... command) {
        String pod = ProbePods.ensure(client, role, PROBE_RECREATE_TIMEOUT);
        return run(client, SandboxBootstrap.NAMESPACE, pod, timeout, command);
    }

    public static Result run(KubernetesClient client, String namespace, String pod, Duration timeout, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod)
                .writingOutput(out).writingError(err).exec(command)) {
            int code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            return new Result(-1, out.toString(StandardCharsets.UTF_8), "timed out after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        } catch (Exception e) {
            return new Result(-1, out.toString(StandardCharsets.UTF_8), String.valueOf(e.getMessage()));
        }
    }
}
