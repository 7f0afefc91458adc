package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * external requests a node's nodePort from outside the cluster. The "node" is this machine and the
 * nodePort a loopback HTTP server of the test, so the request really travels.
 */
@EnableKubernetesMockClient(crud = true)
class ExternalCheckTest {

    static KubernetesClient client;

    MockCluster cluster;
    HttpServer node;

    @BeforeEach
    void start() throws IOException {
        cluster = new MockCluster(client).clean();
        // A Ready pod behind Service web: the API does not rule an answer out, so the request is made.
        cluster.pod("web-1", Map.of("app", "web"), true);
        node = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        node.createContext("/", exchange -> {
            int status = exchange.getRequestURI().getPath().equals("/missing") ? 404 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        node.start();
    }

    @AfterEach
    void stop() {
        node.stop(0);
    }

    private void service(String type, int nodePort) {
        client.services().resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withType(type).withSelector(Map.of("app", "web")).addNewPort().withName("http").withPort(80)
                .withNodePort(nodePort).endPort().endSpec().build()).create();
    }

    @Test
    void aNodePortThatAnswers200Passes() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "via", "nodePort"), cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).isEqualTo("From outside the cluster, the server node's port " + node.getAddress().getPort()
                + " (127.0.0.1:" + node.getAddress().getPort() + ") answered 200.");
    }

    @Test
    void anotherStatusThanExpectedMayStillConverge() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "path", "/missing"),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).endsWith("answered 404, expected 200.");
    }

    @Test
    void anExpectedStatusOtherThan200Passes() {
        service("NodePort", node.getAddress().getPort());
        assertThat(new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "path", "/missing", "status", 404),
                cluster.context()).passed()).isTrue();
    }

    @Test
    void aClusterIpServiceHasNoNodePortAndIsWrong() {
        service("ClusterIP", 0);
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("is of type ClusterIP, which has no nodePort; set spec.type: NodePort.");
    }

    @Test
    void aPortNameTheServiceDoesNotHaveIsWrong() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "port", "grpc"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).isEqualTo("Service web has no port named grpc.");
    }

    @Test
    void aNodeTheSandboxDoesNotHaveIsWrong() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "node", "agent"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).isEqualTo("This check needs a agent node, and this sandbox has none.");
    }

    @Test
    void aLoadBalancerWithoutExternalIpWaitsForTheTunnel() {
        service("LoadBalancer", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "via", "loadBalancer"),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("EXTERNAL-IP is <pending>").contains("Start tunnel");
    }

    @Test
    void viaLoadBalancerOnAnotherTypeIsWrong() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "via", "loadBalancer"),
                cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).isEqualTo("Service web is of type NodePort; set spec.type: LoadBalancer.");
    }

    @Test
    void aRefusedConnectionPassesWhenTheRequestShouldNotConnect() throws IOException {
        service("NodePort", closedPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "connects", false),
                cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).endsWith("got no answer, as expected.");
    }

    @Test
    void aRefusedConnectionSaysKubeProxyRejectsServicesWithoutReadyEndpoints() throws IOException {
        service("NodePort", closedPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web"), cluster.context());
        assertThat(outcome.state()).isEqualTo(Outcome.State.CONVERGING);
        assertThat(outcome.message()).contains("the connection was refused").contains("Are there Ready pods behind Service web?");
    }

    @Test
    void anAnswerWhenTheRequestShouldBeDroppedFails() {
        service("NodePort", node.getAddress().getPort());
        Outcome outcome = new ExternalCheck().evaluate(spec(CheckType.EXTERNAL, "service", "web", "connects", false),
                cluster.context());
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("was answered (200), but it should be dropped");
    }

    /** A loopback port nothing listens on (just released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
