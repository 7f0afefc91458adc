package dev.servicelab.traffic;

import dev.servicelab.account.Account;
import dev.servicelab.sandbox.Sandbox;
import dev.servicelab.sandbox.SandboxBootstrap;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** What the traffic tests run on: a learner's ready sandbox, and a Deployment of echo pods behind Service "web". */
final class EchoWorkload {

    private EchoWorkload() {
    }

    static Sandbox readySandbox(SandboxService sandboxes, Account account, String lab) throws InterruptedException {
        sandboxes.acquire(account, lab);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (!"READY".equals(sandboxes.view(account, lab).state()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
        var sandbox = sandboxes.connection(account, lab);
        if (sandbox.isEmpty()) {
            String view = String.valueOf(sandboxes.view(account, lab));
            sandboxes.release(account, lab); // the caller's cleanup never runs: do not leave it behind
            throw new AssertionError("no ready sandbox after 5 minutes: " + view);
        }
        return sandbox.get();
    }

    /** Namespace {@code ns}, Deployment "web" of servicelab/echo:1 (port 8080), ClusterIP Service "web" 80 -> 8080. */
    static void deploy(KubernetesClient client, String ns, int replicas) {
        SandboxBootstrap.learnerNamespace(client, ns);
        client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("echo").withImage("servicelab/echo:1").addNewPort().withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/").withNewPort(8080).endHttpGet()
                .withPeriodSeconds(1).endReadinessProbe().endContainer()
                .endSpec().endTemplate().endSpec().build()).serverSideApply();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80).withNewTargetPort(8080)
                .endPort().endSpec().build()).serverSideApply();
        client.apps().deployments().inNamespace(ns).withName("web").waitUntilReady(2, TimeUnit.MINUTES);
    }
}
