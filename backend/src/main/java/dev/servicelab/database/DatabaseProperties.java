package dev.servicelab.database;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The embedded PostgreSQL used when no {@code spring.datasource.url} is configured.
 *
 * @param directory where the cluster, its log and password live; empty means {@code <home>/postgres}
 *                  with home {@code /var/lib/servicelab} for root and {@code ~/.servicelab} otherwise
 * @param binariesCache where the PostgreSQL binaries are unpacked; empty means
 *                      {@code $SERVICELAB_CACHE/postgres} or {@code /var/cache/servicelab/postgres}
 *                      (root) / {@code ~/.cache/servicelab/postgres}
 * @param port TCP port on 127.0.0.1, 0 for any free one
 * @param database the database the platform uses
 */
@Validated
@ConfigurationProperties("servicelab.database.embedded")
public record DatabaseProperties(
        Path directory,
        Path binariesCache,
        @DefaultValue("0") @Min(0) @Max(65535) int port,
        @DefaultValue("servicelab") @NotBlank String database) {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    public Path effectiveDirectory() {
        if (directory != null) {
            return directory;
        }
        Path home = ROOT ? Path.of("/var/lib/servicelab") : Path.of(System.getProperty("user.home"), ".servicelab");
        return home.resolve("postgres");
    }

    public Path effectiveBinariesCache() {
        if (binariesCache != null) {
            return binariesCache;
        }
        String cache = System.getenv("SERVICELAB_CACHE");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache, "postgres");
        }
        return ROOT ? Path.of("/var/cache/servicelab/postgres")
                : Path.of(System.getProperty("user.home"), ".cache", "servicelab", "postgres");
    }
}
