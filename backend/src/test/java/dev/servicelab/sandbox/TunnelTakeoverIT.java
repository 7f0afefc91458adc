package dev.servicelab.sandbox;

import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.OwnPlatform;
import dev.servicelab.ServiceLabApplication;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.db.EmbeddedPostgres;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two platform replicas on one database and one real sandbox: whichever replica a tunnel is started
 * or stopped through, both agree, and a tunnel started through replica A keeps working through
 * replica B once A is gone. B runs the database; A stops in the last test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelTakeoverIT {

    private static final String LAB = "why-services";
    private static final String START_GRACE = "servicelab.sandbox.start-grace=90s"; // as on Kubernetes: two replicas

    static OwnPlatform b;
    static ConfigurableApplicationContext a;
    static Account learner;
    /** The learner as replica A knows them. */
    static Account onA;
    static Sandbox sandbox;

    @BeforeAll
    static void startTwoReplicas() {
        b = OwnPlatform.start(START_GRACE);
        EmbeddedPostgres postgres = b.bean(EmbeddedPostgres.class);
        List<String> args = List.of(
                "--server.port=0",
                "--" + START_GRACE,
                "--servicelab.sandbox.warm-pool=0",
                "--servicelab.sandbox.platform-id=" + b.bean(SandboxProperties.class).platformId(),
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=" + postgres.username(),
                "--spring.datasource.password=" + postgres.password(),
                "--servicelab.labs.directory=" + System.getProperty("servicelab.labs.directory", "../labs/catalog"));
        a = new SpringApplicationBuilder(ServiceLabApplication.class).run(args.toArray(String[]::new));
        aLearnersReadySandboxThroughA();
    }

    @AfterAll
    static void stopReplicas() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close(); // last: it runs the database, and removes the sandbox
        }
    }

    private static void aLearnersReadySandboxThroughA() {
        learner = b.learner();
        onA = a.getBean(AccountRepository.class).findByUsername(learner.username()).orElseThrow();
        SandboxService sandboxesOnA = a.getBean(SandboxService.class);
        sandboxesOnA.acquire(onA, LAB);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> sandboxesOnA.view(onA, LAB).state(), "READY"::equals);
        sandbox = sandboxesOnA.ready(onA, LAB).sandbox();
    }

    @Test
    @Order(1)
    void aTunnelStoppedThroughTheReplicaThatDoesNotHoldItStopsEverywhere() {
        SandboxService sandboxesOnA = a.getBean(SandboxService.class);
        assertThat(sandboxesOnA.tunnel(onA, LAB, true)).isTrue();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            createLoadBalancer(client, "before-stop");
            await().atMost(Duration.ofSeconds(5)).until(() -> externalIp(client, "before-stop") != null);

            assertThat(b.bean(SandboxService.class).tunnel(learner, LAB, false)).isFalse();

            assertThat(sandboxesOnA.view(onA, LAB).tunnel()).as("A, which held it, agrees").isFalse();
            createLoadBalancer(client, "while-stopped");
            // A's ticks come and go, and it gives nothing back.
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                    .until(() -> externalIp(client, "before-stop") == null && externalIp(client, "while-stopped") == null);
        }
    }

    @Test
    @Order(2)
    void aTunnelStartedThroughAReplicaThatStopsGivesNewLoadBalancersAnExternalIpFromTheOther() {
        assertThat(a.getBean(SandboxService.class).tunnel(onA, LAB, true)).isTrue();
        assertThat(b.bean(SandboxService.class).view(learner, LAB).tunnel()).as("B sees the tunnel A started").isTrue();

        long closing = System.nanoTime();
        a.close();
        long closed = System.nanoTime();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            createLoadBalancer(client, "after-a");
            long created = System.nanoTime();

            Duration lease = b.bean(TunnelProperties.class).lease();
            await().atMost(lease.plus(TunnelProperties.TICK)).pollInterval(Duration.ofMillis(50))
                    .until(() -> externalIp(client, "after-a"), sandbox.server().address()::equals);
            long assigned = System.nanoTime();
            System.out.printf("Tunnel hand-over: A took %d ms to close; the LoadBalancer created after got its external IP "
                    + "from B %d ms after it was created, %d ms after A closed (lease %s)%n", (closed - closing) / 1_000_000,
                    (assigned - created) / 1_000_000, (assigned - closed) / 1_000_000, lease);
        }
        String holder = b.bean(JdbcClient.class).sql("select holder from tunnel_lease where sandbox_id = ?")
                .param(sandbox.id()).query(String.class).single();
        assertThat(holder).isEqualTo(b.bean(JdbcTunnelLeases.class).holder());
        assertThat(b.bean(SandboxService.class).view(learner, LAB).tunnel()).isTrue();
    }

    private static void createLoadBalancer(KubernetesClient client, String name) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").addToSelector("app", name).addNewPort().withPort(80).endPort()
                .endSpec().build()).create();
    }

    private static String externalIp(KubernetesClient client, String name) {
        Service service = client.services().inNamespace("default").withName(name).get();
        var ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null ? null
                : service.getStatus().getLoadBalancer().getIngress();
        return ingress == null || ingress.isEmpty() ? null : ingress.get(0).getIp();
    }
}
