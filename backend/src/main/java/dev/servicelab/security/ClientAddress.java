package dev.servicelab.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;

/**
 * The address a request came from, for rate limits. Behind a proxy every request comes from the
 * proxy, so {@code servicelab.accounts.trust-forwarded-for} takes the last address in
 * {@code X-Forwarded-For}: the one our proxy appended (earlier ones are whatever the client wrote).
 */
@Component
public class ClientAddress {

    private final boolean trustForwardedFor;

    public ClientAddress(SignInProperties properties) {
        this.trustForwardedFor = properties.trustForwardedFor();
    }

    public String of(HttpServletRequest request) {
        if (trustForwardedFor) {
            String forwarded = request.getHeader("X-Forwarded-For");
            if (forwarded != null) {
                String[] hops = forwarded.split(",");
                for (int i = hops.length - 1; i >= 0; i--) {
                    String hop = hops[i].strip();
                    if (!hop.isEmpty()) {
                        return hop;
                    }
                }
            }
        }
        return request.getRemoteAddr();
    }
}
