package dev.servicelab.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * For repository slice tests ({@code @JdbcTest} with {@code @AutoConfigureTestDatabase(replace = NONE)}):
 * the platform's own embedded PostgreSQL, in a directory of the test JVM's own, migrated by Flyway as
 * the platform is. No Docker: zonky's binaries run as a child process.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(EmbeddedDatabaseConfiguration.class)
@EnableConfigurationProperties(DatabaseProperties.class)
public class EmbeddedDatabaseSlice {

    private static final String DIRECTORY = createDirectory();

    private static String createDirectory() {
        try {
            return Files.createTempDirectory("servicelab-slice-db-").resolve("postgres").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Bean
    static DynamicPropertyRegistrar embeddedDatabaseDirectory() {
        return registry -> registry.add("servicelab.database.embedded.directory", () -> DIRECTORY);
    }
}
