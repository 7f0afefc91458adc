package dev.servicelab.traffic;

import dev.servicelab.web.ReconnectOnShutdown;
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
    private final ReconnectOnShutdown shutdown;

    TrafficConfiguration(TrafficSocketHandler handler, TrafficProperties properties, ReconnectOnShutdown shutdown) {
        this.handler = handler;
        this.properties = properties;
        this.shutdown = shutdown;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        var registration = registry.addHandler(shutdown.decorate(handler), "/ws/traffic");
        if (!properties.allowedOrigins().isEmpty()) {
            registration.setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
        }
    }
}
