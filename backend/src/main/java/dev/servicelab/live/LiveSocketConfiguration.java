package dev.servicelab.live;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Registers every {@link LiveSocketHandler} at its path. The handshake goes through the page security
 * chain (a signed-in session is required) and Spring's origin check: only the platform's own pages
 * and {@code servicelab.sockets.allowed-origins} may open one, so another site cannot ride a
 * learner's cookie. The sockets are tracked by {@link ReconnectOnShutdown}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class LiveSocketConfiguration implements WebSocketConfigurer {

    private static final Logger log = LoggerFactory.getLogger(LiveSocketConfiguration.class);
    /** The per-socket settings these replaced; still read so that an existing install keeps working. */
    private static final List<String> DEPRECATED_ORIGINS =
            List.of("servicelab.terminal.allowed-origins", "servicelab.traffic.allowed-origins");

    private final List<LiveSocketHandler> handlers;
    private final List<String> allowedOrigins;
    private final ReconnectOnShutdown shutdown;

    LiveSocketConfiguration(List<LiveSocketHandler> handlers, LiveSocketProperties properties,
            ReconnectOnShutdown shutdown, Environment environment) {
        this.handlers = handlers;
        this.shutdown = shutdown;
        List<String> origins = new ArrayList<>(properties.allowedOrigins());
        Binder binder = Binder.get(environment);
        for (String key : DEPRECATED_ORIGINS) {
            binder.bind(key, Bindable.listOf(String.class)).ifBound(old -> {
                log.warn("{} is deprecated: set servicelab.sockets.allowed-origins instead", key);
                old.stream().filter(o -> !o.isBlank() && !origins.contains(o)).forEach(origins::add);
            });
        }
        origins.removeIf(String::isBlank);
        this.allowedOrigins = List.copyOf(origins);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        for (LiveSocketHandler handler : handlers) {
            var registration = registry.addHandler(shutdown.decorate(handler), handler.path());
            if (!allowedOrigins.isEmpty()) {
                registration.setAllowedOriginPatterns(allowedOrigins.toArray(String[]::new));
            }
        }
    }
}
