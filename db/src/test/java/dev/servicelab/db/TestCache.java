package dev.servicelab.db;

import java.nio.file.Path;

/** Tests unpack the PostgreSQL binaries once per machine, in the same cache the platform uses. */
final class TestCache {
    private TestCache() {
    }

    static Path binaries() {
        String configured = System.getenv("SERVICELAB_CACHE");
        return Path.of(configured != null ? configured : "/var/cache/servicelab").resolve("postgres");
    }
}
