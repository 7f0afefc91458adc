package dev.servicelab;

import dev.servicelab.security.Account;
import dev.servicelab.account.AccountService;
import dev.servicelab.security.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A platform of a test's own, for behaviour the shared test server must not be bent for: short
 * timeouts, a warm pool, restarts and database outages. It has its own embedded PostgreSQL, its own
 * platform id (so it never touches other tests' sandboxes), keeps both across {@link #restart()}, and
 * removes its sandboxes on {@link #close()}.
 */
public final class OwnPlatform implements AutoCloseable {

    public static final String PASSWORD = "own-platform-password";

    private final Path home;
    private final String platformId = "servicelab-own-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> settings;
    private int port;
    private ConfigurableApplicationContext context;

    private OwnPlatform(List<String> settings) {
        try {
            this.home = Files.createTempDirectory("servicelab-own-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.settings = settings;
    }

    /** Starts a platform with {@code settings} ("name=value") on top of the test defaults. */
    public static OwnPlatform start(String... settings) {
        OwnPlatform platform = new OwnPlatform(List.of(settings));
        platform.boot();
        return platform;
    }

    private void boot() {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("server.port", String.valueOf(port));
        values.put("servicelab.sandbox.warm-pool", "0");
        values.put("servicelab.sandbox.platform-id", platformId);
        values.put("servicelab.database.embedded.directory", home.resolve("postgres").toString());
        values.put("servicelab.accounts.first-admin-username", "admin");
        values.put("servicelab.accounts.first-admin-password", PASSWORD);
        values.put("servicelab.labs.directory", System.getProperty("servicelab.labs.directory", "../labs/catalog"));
        // A repeated argument would be joined into a list ("0,1"): a test's setting replaces the default.
        settings.forEach(s -> values.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1)));
        List<String> args = new ArrayList<>();
        values.forEach((name, value) -> args.add("--" + name + "=" + value));
        context = new SpringApplicationBuilder(ServiceLabApplication.class).run(args.toArray(String[]::new));
        // A restart keeps the port, as an operator's server does, so clients reconnect where they were.
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** Stops the server (sandboxes keep running, as on a real restart) and starts it again. */
    public void restart() {
        context.close();
        boot();
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** A new learner account with {@link #PASSWORD}. */
    public Account learner() {
        return bean(AccountService.class).create("learner-" + UUID.randomUUID().toString().substring(0, 8), "Learner",
                PASSWORD, Role.LEARNER);
    }

    public ApiClient api(Account account) {
        return new ApiClient(baseUrl(), account.username(), PASSWORD);
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
        try {
            var docker = org.testcontainers.DockerClientFactory.instance().client();
            docker.listContainersCmd().withShowAll(true).withLabelFilter(java.util.Map.of(dev.servicelab.provisioner.SandboxLabels.PLATFORM, platformId))
                    .exec().forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec());
            docker.listNetworksCmd().withFilter("label", List.of(dev.servicelab.provisioner.SandboxLabels.PLATFORM + "=" + platformId)).exec()
                    .forEach(n -> docker.removeNetworkCmd(n.getId()).exec());
        } catch (RuntimeException e) {
            // nothing left to remove
        }
    }
}
