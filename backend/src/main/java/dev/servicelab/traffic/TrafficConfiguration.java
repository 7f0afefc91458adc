package dev.servicelab.traffic;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Registers the traffic socket like the terminal's: the handshake needs a signed-in session (page
 * security chain) and passes Spring's same-origin check unless more origins are configured.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class TrafficConfiguration implements WebSocketConfigurer {

    private final TrafficSocketHandler handler;
    private final TrafficProperties properties;

    TrafficConfiguration(TrafficSocketHandler handler, TrafficProperties properties) {
        this.handler = handler;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        var registration = registry.addHandler(handler, "/ws/traffic");
        if (!properties.allowedOrigins().isEmpty()) {
            registration.setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
        }
    }
}
