package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** endpoints counts the ready addresses of a Service's EndpointSlices, whatever shape the controller wrote. */
class EndpointsCheckTest {

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
