package dev.servicelab.live;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistration;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** One allowed-origins setting for every live socket; the two old per-socket keys still count. */
class LiveSocketConfigurationTest {

    static final class Echo extends LiveSocketHandler {
        Echo() {
            super(new Socket("/ws/echo", "the echo", "yours only"), null, null, null);
        }

        @Override
        protected void opened(WebSocketSession session, Peer peer) {
        }

        @Override
        protected void closed(WebSocketSession session) {
        }
    }

    final WebSocketHandlerRegistration registration = mock(WebSocketHandlerRegistration.class, RETURNS_SELF);
    final WebSocketHandlerRegistry registry = mock(WebSocketHandlerRegistry.class);

    LiveSocketConfigurationTest() {
        when(registry.addHandler(any(), eq("/ws/echo"))).thenReturn(registration);
    }

    private void register(List<String> origins, MockEnvironment environment) {
        new LiveSocketConfiguration(List.of(new Echo()), new LiveSocketProperties(origins, 1024), new ReconnectOnShutdown(), environment)
                .registerWebSocketHandlers(registry);
    }

    @Test
    void withoutOriginsOnlyThePlatformsOwnPagesMayConnect() {
        register(List.of(), new MockEnvironment());
        verify(registration, never()).setAllowedOriginPatterns(any(String[].class));
    }

    @Test
    void theSettingAppliesToEverySocket() {
        register(List.of("https://*.example.org"), new MockEnvironment());
        verify(registration).setAllowedOriginPatterns("https://*.example.org");
    }

    @Test
    void theDeprecatedPerSocketKeysAreAddedToIt() {
        register(List.of("https://a.example.org"), new MockEnvironment()
                .withProperty("servicelab.terminal.allowed-origins", "https://b.example.org")
                .withProperty("servicelab.traffic.allowed-origins", "https://a.example.org,https://c.example.org"));
        verify(registration).setAllowedOriginPatterns("https://a.example.org", "https://b.example.org", "https://c.example.org");
    }
}
