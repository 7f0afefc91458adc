package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** With the defaults, webhooks reach only public addresses; the operator may allow networks. */
class WebhookAddressesTest {

    private static WebhookAddresses addresses(String... allowed) {
        return new WebhookAddresses(new WebhookProperties(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 3.0, Duration.ofHours(1), 10, 20, 4, List.of(allowed)));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "0.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.1.1", "fd00:ec2::254", "fc00::1",
            "fe80::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255"})
    void internalAddressesAreRefusedByDefault(String address) throws Exception {
        assertThat(addresses().refused(ip(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1"})
    void publicAddressesAreAllowed(String address) throws Exception {
        assertThat(addresses().refused(ip(address))).isFalse();
    }

    @Test
    void anAllowedNetworkIsReachableAndNothingBeyondIt() throws Exception {
        WebhookAddresses addresses = addresses("127.0.0.1/32", "10.20.0.0/16");
        assertThat(addresses.refused(ip("127.0.0.1"))).isFalse();
        assertThat(addresses.refused(ip("10.20.30.40"))).isFalse();
        assertThat(addresses.refused(ip("127.0.0.2"))).isTrue();
        assertThat(addresses.refused(ip("10.21.0.1"))).isTrue();
        assertThat(addresses.refused(ip("::1"))).isTrue();
        assertThat(addresses.refused(ip("169.254.169.254"))).isTrue();
    }

    @Test
    void resolvingARefusedHostSaysWhyWithoutConnecting() {
        assertThatThrownBy(() -> addresses().resolve("169.254.169.254")).isInstanceOf(WebhookAddresses.RefusedException.class)
                .hasMessageContaining("169.254.169.254").hasMessageContaining("may not reach");
        assertThatThrownBy(() -> addresses().resolve("[::1]")).isInstanceOf(WebhookAddresses.RefusedException.class);
        assertThatThrownBy(() -> addresses().resolve("[fd00:ec2::254]")).isInstanceOf(WebhookAddresses.RefusedException.class);
    }

    @Test
    void aPublicLiteralResolvesToItself() throws Exception {
        assertThat(addresses().resolve("93.184.216.34")).containsExactly(ip("93.184.216.34"));
    }

    @Test
    void anAllowedNetworkThatIsNotCidrStopsTheStart() {
        assertThatThrownBy(() -> addresses("intranet.example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CIDR");
        assertThatThrownBy(() -> addresses("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }
}
