package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpConnectTimeoutException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * outsideHttp says what answered, or how the connection failed; a refusal nothing in the API could
 * ever turn into an answer is wrong at once.
 */
@EnableKubernetesMockClient(crud = true)
class OutsideHttpCheckTest {

    static final String NODE = "172.28.0.2";

    KubernetesClient client;
    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    private void kiosk(String externalIp, int port) {
        client.services().resource(new ServiceBuilder().withNewMetadata().withName("kiosk").withNamespace("default").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "kiosk")).withExternalIPs(externalIp).addNewPort().withPort(port)
                .endPort().endSpec().build()).create();
    }

    @Test
    void anAddressNoServiceClaimsWillNeverBeAccepted() {
        kiosk("192.0.2.10", 8088);
        cluster.pod("kiosk-1", Map.of("app", "kiosk"), true);

        assertThat(OutsideHttpCheck.unclaimed(client, Set.of(NODE), NODE, 8088)).hasValueSatisfying(why ->
                assertThat(why).contains("No Service lists 172.28.0.2 in spec.externalIPs with port 8088 or has nodePort 8088"));
    }

    @Test
    void aServiceClaimingTheAddressWithAPodToSendToMayStillBeSyncing() {
        kiosk(NODE, 8088);
        cluster.pod("kiosk-1", Map.of("app", "kiosk"), true);

        assertThat(OutsideHttpCheck.unclaimed(client, Set.of(NODE), NODE, 8088)).isEmpty();
    }

    @Test
    void aPodBindingThePortOnANodeMayAcceptIt() {
        client.pods().resource(new PodBuilder().withNewMetadata().withName("proxy").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("servicelab/echo:1").addNewPort().withContainerPort(8080)
                .withHostPort(8088).endPort().endContainer().endSpec().build()).create();

        assertThat(OutsideHttpCheck.unclaimed(client, Set.of(NODE), NODE, 8088)).isEmpty();
    }

    @Test
    void aClaimWithoutAPodToSendToIsRefusedForGood() {
        kiosk(NODE, 8088);
        cluster.deployment("kiosk", Map.of("app", "kiosk"), 0);

        assertThat(OutsideHttpCheck.unclaimed(client, Set.of(NODE), NODE, 8088)).hasValueSatisfying(why ->
                assertThat(why).startsWith("Kube-proxy refuses it: Service kiosk has no pod to send to"));
    }

    @Test
    void aRefusedRequestToAnUnclaimedAddressIsWrongAtOnce() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Outcome outcome = new OutsideHttpCheck().evaluate(MockCluster.spec(CheckType.OUTSIDE_HTTP, "url",
                "http://127.0.0.1:" + closed + "/"), cluster.context());

        assertThat(outcome.state()).isEqualTo(Outcome.State.WRONG);
        assertThat(outcome.message()).contains("no Service claims it").contains("No Service lists 127.0.0.1");
    }

    @Test
    void theExpectedStatusAndBodyPass() {
        assertThat(OutsideHttpCheck.verdict("http://172.18.0.2:8088/", 200, "pod: kiosk-1\n", null, "kiosk-").passed()).isTrue();
    }

    @Test
    void anAnswerFromSomeoneElseFailsAndQuotesIt() {
        Outcome outcome = OutsideHttpCheck.verdict("http://172.18.0.2:8088/", 200, "pod: impostor-1\n", null, "kiosk-");
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("not from \"kiosk-\"").contains("impostor-1");
    }

    /** Answers one connection with {@code answer} and hands back the request it read. */
    private static java.util.concurrent.CompletableFuture<String> answerOnce(ServerSocket server, String answer) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.net.Socket socket = server.accept()) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                StringBuilder request = new StringBuilder();
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    request.append(line).append('\n');
                }
                socket.getOutputStream().write(answer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return request.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aHostOptionSendsThatHostHeaderAndJudgesTheAnswer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var request = answerOnce(server, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npod: shop-web-1\n");
            Outcome outcome = new OutsideHttpCheck().evaluate(MockCluster.spec(CheckType.OUTSIDE_HTTP,
                    "url", "http://127.0.0.1:" + server.getLocalPort() + "/cart?x=1", "host", "shop.servicelab.test",
                    "bodyContains", "shop-web"), cluster.context());

            assertThat(outcome.passed()).as(outcome.message()).isTrue();
            assertThat(outcome.message()).contains("(Host: shop.servicelab.test)");
            assertThat(request.get()).startsWith("GET /cart?x=1 HTTP/1.1\n").contains("Host: shop.servicelab.test\n");
        }
    }

    @Test
    void aHostOptionReportsTheStatusThatCameBack() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            answerOnce(server, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nno rule\n");
            Outcome outcome = new OutsideHttpCheck().evaluate(MockCluster.spec(CheckType.OUTSIDE_HTTP,
                    "url", "http://127.0.0.1:" + server.getLocalPort() + "/", "host", "www.servicelab.test"), cluster.context());

            assertThat(outcome.passed()).isFalse();
            assertThat(outcome.message()).contains("(Host: www.servicelab.test) answered 404, expected 200");
        }
    }

    @Test
    void aHostThatIsNoHostNameIsRefusedBeforeAnythingIsSent() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OutsideHttpCheck.withHost(
                java.net.URI.create("http://127.0.0.1:9/"), "a\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a host name");
    }

    @Test
    void aRefusalAndATimeoutAreToldApart() {
        assertThat(OutsideHttpCheck.failure(new ConnectException("Connection refused"))).contains("refused").contains("no Service claims it");
        assertThat(OutsideHttpCheck.failure(new HttpConnectTimeoutException("timed out"))).contains("dropped");
    }
}
