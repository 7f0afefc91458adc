package dev.servicelab.check;

import static dev.servicelab.check.MockCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** endpoints counts the ready addresses of a Service's EndpointSlices; CheckClassificationTest covers the classification. */
@EnableKubernetesMockClient(crud = true)
class EndpointsCheckTest {

    static KubernetesClient client;

    MockCluster cluster;

    @BeforeEach
    void clean() {
        cluster = new MockCluster(client).clean();
    }

    @Test
    void enoughReadyAddressesOnTheWantedPortPass() {
        cluster.service("api", Map.of("app", "api"), 80, 8080);
        cluster.slice("api", 8080, "10.42.0.6", "10.42.0.5");
        Outcome outcome = new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "count", 2, "port", "8080"),
                cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).isEqualTo("Service api has 2 ready endpoint address(es): 10.42.0.5, 10.42.0.6.");
    }

    @Test
    void thePortMayBeNamedByTheSlicePortsName() {
        cluster.service("api", Map.of("app", "api"), 80, 8080);
        cluster.slice("api", 8080, "10.42.0.5");
        assertThat(new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "port", "http"), cluster.context())
                .passed()).isTrue();
    }

    @Test
    void addressesThatAreNotReadyDoNotCount() {
        cluster.service("api", Map.of("app", "api"), 80, 8080);
        client.discovery().v1().endpointSlices().resource(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                .withNewMetadata().withName("api-x").withNamespace("default").withLabels(Map.of("kubernetes.io/service-name", "api"))
                .endMetadata().withAddressType("IPv4").addNewEndpoint().withAddresses("10.42.0.5").withNewConditions().withReady(false)
                .endConditions().endEndpoint().build()).create();
        Outcome outcome = new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "api", "count", 1), cluster.context());
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).startsWith("Service api has 0 ready endpoint address(es), expected exactly 1.")
                .contains("Its selector app=api must match Ready pods");
    }

    @Test
    void handWrittenEndpointsCountWhileTheMirroredSliceIsNotThereYet() {
        cluster.service("legacy", null, 80, 8080);
        client.endpoints().resource(new EndpointsBuilder().withNewMetadata().withName("legacy").withNamespace("default").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.168.1.10").endAddress().addNewPort().withPort(8080).endPort().endSubset()
                .build()).create();
        Outcome outcome = new EndpointsCheck().evaluate(spec(CheckType.ENDPOINTS, "service", "legacy", "count", 1, "port", "8080"),
                cluster.context());
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).contains("192.168.1.10");
    }

    @Test
    void aSliceWithoutAnEndpointsListCountsAsNoAddresses() {
        // What the EndpointSlice controller writes for a selector that matches no pod.
        EndpointSlice empty = new EndpointSliceBuilder().withNewMetadata().withName("catalog-x7k2p").endMetadata()
                .withAddressType("IPv4").build();
        empty.setEndpoints(null);
        assertThat(EndpointsCheck.readyAddresses(List.of(empty))).isEmpty();
    }

    @Test
    void onlyReadyAddressesCountEachOnceInOrder() {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("cart-1").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.42.0.9").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.42.0.7").endEndpoint()
                .addNewEndpoint().withAddresses("10.42.0.8").withNewConditions().withReady(false).endConditions().endEndpoint()
                .build();
        EndpointSlice again = new EndpointSliceBuilder(slice).editMetadata().withName("cart-2").endMetadata().build();
        assertThat(EndpointsCheck.readyAddresses(List.of(slice, again))).containsExactly("10.42.0.7", "10.42.0.9");
    }
}
