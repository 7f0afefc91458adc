package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** X-Forwarded-For names the client only when the operator says a proxy sets it. */
class ClientAddressTest {

    private static ClientAddress clientAddress(boolean trustForwardedFor) {
        return new ClientAddress(new SignInProperties(trustForwardedFor,
                new SignInProperties.Limits(Duration.ofMinutes(15), 10, 100, 30)));
    }

    private static MockHttpServletRequest request(String forwardedFor) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr("10.0.0.10");
        request.addHeader("X-Forwarded-For", forwardedFor);
        return request;
    }

    @Test
    void byDefaultTheHeaderIsIgnored() {
        assertThat(clientAddress(false).of(request("203.0.113.7"))).isEqualTo("10.0.0.10");
    }

    @Test
    void behindATrustedProxyTheAddressItAppendedCounts() {
        assertThat(clientAddress(true).of(request("1.2.3.4, 203.0.113.7"))).as("the client wrote 1.2.3.4 itself")
                .isEqualTo("203.0.113.7");
    }

    @Test
    void behindATrustedProxyARequestWithoutTheHeaderIsItsPeer() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr("10.0.0.11");
        assertThat(clientAddress(true).of(request)).isEqualTo("10.0.0.11");
    }
}
