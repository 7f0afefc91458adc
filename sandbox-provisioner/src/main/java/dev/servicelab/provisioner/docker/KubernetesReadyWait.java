package dev.servicelab.provisioner.docker;

import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Function;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategyTarget;

/**
 * Waits for the node to serve its API and report Ready, telling each phase as it is reached. It asks
 * Kubernetes itself rather than matching log lines, so it works alike for the kit's node and for
 * the public k3s image.
 */
final class KubernetesReadyWait extends AbstractWaitStrategy {

    private static final String KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

    private final Consumer<SandboxPhase> progress;
    private final Function<WaitStrategyTarget, String> apiServer;

    /** @param apiServer where the platform reaches the node's API server, e.g. {@code https://localhost:32768} */
    KubernetesReadyWait(Duration timeout, Function<WaitStrategyTarget, String> apiServer,
            Consumer<SandboxPhase> progress) {
        this.progress = progress;
        this.apiServer = apiServer;
        withStartupTimeout(timeout);
    }

    @Override
    protected void waitUntilReady() {
        Instant deadline = Instant.now().plus(startupTimeout);
        progress.accept(SandboxPhase.LOADING_IMAGES);
        boolean apiUp = false;
        String last = "the node container did not write its kubeconfig";
        while (Instant.now().isBefore(deadline)) {
            if (!waitStrategyTarget.isRunning()) {
                throw new ContainerLaunchException("The sandbox node stopped while starting. Its last log lines:\n"
                        + tail(waitStrategyTarget.getLogs(), 20));
            }
            try {
                String kubeconfig = waitStrategyTarget.copyFileFromContainer(KUBECONFIG,
                        in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
                String server = apiServer.apply(waitStrategyTarget);
                try (KubernetesClient client = Kubeconfigs.client(Kubeconfigs.withServer(kubeconfig, server))) {
                    var nodes = client.nodes().list().getItems();
                    if (!apiUp) {
                        apiUp = true;
                        progress.accept(SandboxPhase.API_UP);
                    }
                    if (!nodes.isEmpty() && nodes.stream().allMatch(SandboxBootstrap::ready)) {
                        progress.accept(SandboxPhase.NODE_READY);
                        return;
                    }
                    last = nodes.isEmpty() ? "no node has registered yet" : "the node is not Ready yet";
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            sleep(Duration.ofMillis(500));
        }
        throw new ContainerLaunchException("The sandbox did not become ready within " + startupTimeout.toSeconds()
                + " s (" + last + "). Its last log lines:\n" + tail(waitStrategyTarget.getLogs(), 20));
    }

    private static String tail(String logs, int lines) {
        String[] all = logs.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("Interrupted while waiting for the sandbox", e);
        }
    }
}
