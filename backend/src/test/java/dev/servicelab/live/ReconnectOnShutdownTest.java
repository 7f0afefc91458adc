package dev.servicelab.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.PlatformTestBase;
import dev.servicelab.SocketListener;
import dev.servicelab.ServiceLabApplication;
import dev.servicelab.account.AccountService;
import dev.servicelab.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * A platform that shuts down tells its open sockets to reconnect (1012, service restart), and shuts
 * down gracefully. One server for both tests (starting one is what costs): the last one stops it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReconnectOnShutdownTest {

    @TempDir
    static Path home;
    ConfigurableApplicationContext server;

    @BeforeAll
    void start() {
        server = new SpringApplicationBuilder(ServiceLabApplication.class, EchoSocket.class).run(
                "--server.port=0",
                "--servicelab.sandbox.enabled=false",
                "--servicelab.sandbox.platform-id=" + PlatformTestBase.PLATFORM_ID + "-shutdown",
                "--servicelab.database.embedded.directory=" + home.resolve("postgres"),
                "--servicelab.labs.directory=" + System.getProperty("servicelab.labs.directory"));
    }

    @AfterAll
    void stop() {
        server.close(); // again, if a test failed before closing it: closing twice does nothing
    }

    /** A socket that stays open without a sandbox (the terminal and traffic sockets need one), registered like them. */
    @Configuration(proxyBeanMethods = false)
    static class EchoSocket {
        @Bean
        WebSocketConfigurer echo(ReconnectOnShutdown shutdown) {
            return registry -> registry.addHandler(shutdown.decorate(new TextWebSocketHandler() {
                @Override
                protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
                    session.sendMessage(message);
                }
            }), "/ws/test-echo");
        }
    }

    @Test
    @Order(2)
    void openSocketsAreClosedWith1012WhenTheServerStops() throws Exception {
        server.getBean(AccountService.class).create("socket-user", "Socket User", "socket-password", Role.LEARNER);
        int port = ((WebServerApplicationContext) server).getWebServer().getPort();
        SocketListener listener = new SocketListener();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("socket-user:socket-password"
                        .getBytes(StandardCharsets.UTF_8)))
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/test-echo"), listener).get(10, TimeUnit.SECONDS);
        socket.sendText("hello", true);
        assertThat(listener.firstText.get(5, TimeUnit.SECONDS)).isEqualTo("hello");

        long start = System.nanoTime();
        server.close();

        assertThat(listener.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1012);
        System.out.printf("Shutdown with one open socket took %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    @Order(1)
    void theTerminalAndTrafficSocketsAreRegisteredThatWayAndShutdownIsGraceful() {
        assertThat(server.getEnvironment().getProperty("server.shutdown")).isEqualTo("graceful");
        assertThat(server.getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("20s");
        for (String path : new String[] {"/ws/terminal", "/ws/traffic"}) {
            assertThat(tracked(server, path)).as(path).isTrue();
        }
    }

    private static boolean tracked(ConfigurableApplicationContext server, String path) {
        for (HandlerMapping mapping : server.getBeansOfType(HandlerMapping.class).values()) {
            if (mapping instanceof SimpleUrlHandlerMapping urls && urls.getUrlMap().get(path) instanceof WebSocketHttpRequestHandler h) {
                var handler = h.getWebSocketHandler();
                while (handler instanceof WebSocketHandlerDecorator decorator) {
                    if (decorator instanceof ReconnectOnShutdown.Tracked) {
                        return true;
                    }
                    handler = decorator.getDelegate();
                }
            }
        }
        return false;
    }
}
