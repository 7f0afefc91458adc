package dev.servicelab.traffic;

import dev.servicelab.security.Account;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the traffic tests run on: a learner's ready sandbox, and a Deployment of echo pods behind Service "web". */
public final class EchoWorkload {

    private EchoWorkload() {
    }

    static Sandbox readySandbox(SandboxService sandboxes, Account account, String lab) throws InterruptedException {
        sandboxes.acquire(account, lab);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                    .until(() -> "READY".equals(sandboxes.view(account, lab).state()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // explained below, with the sandbox's state
        }
        try {
            return sandboxes.ready(account, lab).sandbox();
        } catch (dev.servicelab.sandbox.SandboxNotReadyException e) {
            String view = String.valueOf(sandboxes.view(account, lab));
            sandboxes.release(account, lab); // the caller's cleanup never runs: do not leave it behind
            throw new AssertionError("no ready sandbox after 5 minutes: " + view);
        }
    }

    /** Namespace {@code ns}, Deployment "web" of servicelab/echo:1 (port 8080), ClusterIP Service "web" 80 -> 8080. */
    public static void deploy(KubernetesClient client, String ns, int replicas) {
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
