package dev.servicelab.terminal;

import dev.servicelab.web.ReconnectOnShutdown;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Registers the terminal socket. The handshake goes through the page security chain (a signed-in
 * session is required) and Spring's origin check: only the platform's own pages (and configured
 * origins) may open it, so another site cannot ride a learner's cookie.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class TerminalConfiguration implements WebSocketConfigurer {

    private final TerminalSocketHandler handler;
    private final TerminalProperties properties;
    private final ReconnectOnShutdown shutdown;

    TerminalConfiguration(TerminalSocketHandler handler, TerminalProperties properties, ReconnectOnShutdown shutdown) {
        this.handler = handler;
        this.properties = properties;
        this.shutdown = shutdown;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        var registration = registry.addHandler(shutdown.decorate(handler), "/ws/terminal");
        if (!properties.allowedOrigins().isEmpty()) {
            registration.setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
        }
    }
}
