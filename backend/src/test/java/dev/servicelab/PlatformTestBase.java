package dev.servicelab;

import dev.servicelab.account.AccountService;
import dev.servicelab.security.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole platform on a random port with a real (embedded) PostgreSQL of its own, sandboxes off:
 * everything but learners' clusters, so it needs no Docker engine (the API answers "start your
 * cluster" where a sandbox would be needed). Tests that need sandboxes extend
 * {@link SandboxPlatformTestBase}. Spring caches the context, so every test class extending this
 * shares one server and one database (the sandbox variant adopts the same PostgreSQL).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "servicelab.sandbox.enabled=false")
public abstract class PlatformTestBase {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    private static final Path DATABASE = createDatabaseDirectory();
    public static final String PLATFORM_ID = "servicelab-test-" + UUID.randomUUID().toString().substring(0, 8);

    static {
        // Sandboxes outlive the JVM on purpose (a restarted platform re-attaches them); a test JVM
        // never restarts, so it removes the sandboxes of its platform id when it exits.
        Runtime.getRuntime().addShutdownHook(new Thread(PlatformTestBase::removeSandboxes, "remove-test-sandboxes"));
    }

    private static void removeSandboxes() {
        try {
            var docker = org.testcontainers.DockerClientFactory.instance().client();
            var filter = java.util.Map.of(dev.servicelab.provisioner.SandboxLabels.PLATFORM, PLATFORM_ID);
            docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec().forEach(c -> {
                try {
                    docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                } catch (RuntimeException gone) {
                    // already removed
                }
            });
            docker.listNetworksCmd().withFilter("label", java.util.List.of(dev.servicelab.provisioner.SandboxLabels.PLATFORM + "=" + PLATFORM_ID)).exec()
                    .forEach(n -> {
                        try {
                            docker.removeNetworkCmd(n.getId()).exec();
                        } catch (RuntimeException gone) {
                            // already removed
                        }
                    });
        } catch (RuntimeException noDocker) {
            // nothing to remove
        }
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected AccountService accounts;

    @DynamicPropertySource
    static void platform(DynamicPropertyRegistry registry) {
        registry.add("servicelab.database.embedded.directory", DATABASE::toString);
        registry.add("servicelab.accounts.first-admin-username", () -> ADMIN);
        registry.add("servicelab.accounts.first-admin-password", () -> ADMIN_PASSWORD);
        // No warm pool unless a test wants one, and a platform id of this JVM's own, so that start-up
        // reconciliation never reaps sandboxes that belong to a developer's running platform.
        registry.add("servicelab.sandbox.warm-pool", () -> "0");
        registry.add("servicelab.sandbox.platform-id", () -> PLATFORM_ID);
        // Webhook tests receive on loopback, which webhooks refuse by default: allow 127.0.0.1 only
        // (::1 and the rest stay refused, and WebhookAddressesTest covers the defaults).
        registry.add("servicelab.webhooks.allowed-networks", () -> "127.0.0.1/32");
        // Every test client is 127.0.0.1: per-address limits would make tests fail each other
        // (SignInThrottleTest covers them). Five failures per account (not 10), so SignInTest hashes less,
        // yet a test that fails a shared account once or twice (ProblemDetailsTest) locks nobody out.
        registry.add("servicelab.accounts.limits.failures-per-account", () -> "5");
        registry.add("servicelab.accounts.limits.failures-per-address", () -> "1000000");
        registry.add("servicelab.accounts.limits.signups-per-address", () -> "1000000");
        // Tests use sandboxes without a lab page open to show the learner is there: never freeze them.
        registry.add("servicelab.sandbox.freeze-after", () -> "0s");
    }

    private static Path createDatabaseDirectory() {
        try {
            return Files.createTempDirectory("servicelab-test-db-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    /** A fresh learner for one test, so tests never see each other's progress. */
    protected String newLearner() {
        String username = "learner-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(username, "Test Learner", LEARNER_PASSWORD, Role.LEARNER);
        return username;
    }

    protected static final String LEARNER_PASSWORD = "learner-password";

    protected ApiClient api(String username, String password) {
        return new ApiClient(baseUrl(), username, password);
    }

    protected ApiClient anonymousApi() {
        return new ApiClient(baseUrl(), null, null);
    }
}
