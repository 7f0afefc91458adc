package dev.servicelab.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server run from the binaries that zonky publishes on Maven Central, so that the
 * platform and its tests need no database installed on the machine.
 *
 * <p>Unlike zonky's own launcher this one works when the JVM runs as root (PostgreSQL refuses to):
 * it then runs the server as the unprivileged {@code nobody} user through {@code setpriv}. The data
 * directory persists, so accounts and progress survive a restart of the platform.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String BINARIES_RESOURCE = "postgres-linux-x86_64.txz";
    private static final String UNPRIVILEGED_USER = "nobody";
    private static final String SUPERUSER = "postgres";

    /**
     * @param baseDirectory holds the cluster ({@code data/}), its log and its generated password
     * @param binariesCache where the PostgreSQL binaries are unpacked once, keyed by version
     * @param port TCP port on 127.0.0.1; 0 picks a free one
     * @param database created on first start if missing
     */
    public record Settings(Path baseDirectory, Path binariesCache, int port, String database) {
    }

    private final Path binaries;
    private final Path dataDirectory;
    private final boolean dropPrivileges;
    private final int port;
    private final String database;
    private final String password;

    private EmbeddedPostgres(Path binaries, Path dataDirectory, boolean dropPrivileges, int port,
            String database, String password) {
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.dropPrivileges = dropPrivileges;
        this.port = port;
        this.database = database;
        this.password = password;
    }

    /** Starts the server (initialising the cluster on first use) and waits until it accepts connections. */
    public static EmbeddedPostgres start(Settings settings) {
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path base = settings.baseDirectory().toAbsolutePath();
            Files.createDirectories(base);
            Path binaries = unpackBinaries(settings.binariesCache().toAbsolutePath(), root);
            String password = readOrCreatePassword(base.resolve("password"));
            Path data = base.resolve("data");
            int port = settings.port() == 0 ? freePort() : settings.port();
            // A server left running by a platform process that died keeps its port: adopt both.
            int running = runningPort(data);
            if (running > 0) {
                port = running;
            }
            EmbeddedPostgres server = new EmbeddedPostgres(binaries, data, root, port, settings.database(), password);
            if (root) {
                chownTree(base, UNPRIVILEGED_USER, Files.exists(data) ? List.of(data) : List.of());
            }
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                server.initdb(base);
            }
            server.startServer(base.resolve("postgres.log"));
            server.createDatabaseIfMissing();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String username() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        run(List.of(bin("pg_ctl"), "stop", "-D", dataDirectory.toString(), "-m", "fast", "-w", "-t", "30"),
                Duration.ofSeconds(40), false);
    }

    /**
     * Starts the server again after {@link #close()}, on the same port and data: what an operator does
     * after a database outage (the platform's fault tests use it to make one).
     */
    public void restart() {
        startServer(dataDirectory.getParent().resolve("postgres.log"));
    }

    private void initdb(Path base) throws IOException {
        log.info("Initialising a new PostgreSQL cluster in {}", dataDirectory);
        Path pwfile = base.resolve("initdb-password");
        Files.writeString(pwfile, password);
        chownIfRoot(pwfile);
        try {
            run(List.of(bin("initdb"), "-D", dataDirectory.toString(), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C", "--auth=scram-sha-256", "--pwfile=" + pwfile), Duration.ofMinutes(3), true);
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    private void startServer(Path logFile) {
        boolean running = run(List.of(bin("pg_ctl"), "status", "-D", dataDirectory.toString()),
                Duration.ofSeconds(10), false);
        if (running) {
            // A previous platform process died without stopping its server: adopt that server.
            log.info("PostgreSQL is already running on {}; reusing it", dataDirectory);
            return;
        }
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
        run(List.of(bin("pg_ctl"), "start", "-D", dataDirectory.toString(), "-w", "-t", "120",
                "-l", logFile.toString(), "-o", options), Duration.ofMinutes(3), true);
        log.info("Embedded PostgreSQL listening on 127.0.0.1:{}", port);
    }

    private void createDatabaseIfMissing() {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (var connection = DriverManager.getConnection(adminUrl, SUPERUSER, password);
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (var rows = exists.executeQuery()) {
                if (!rows.next()) {
                    try (var create = connection.createStatement()) {
                        create.execute("create database \"" + database.replace("\"", "") + "\"");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The embedded PostgreSQL started but refused a connection on port "
                    + port + " (" + e.getMessage() + "). If another server owns that port, set a different "
                    + "servicelab.database.embedded.port.", e);
        }
    }

    private String bin(String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }

    /** Runs a PostgreSQL tool, as {@code nobody} when we are root; returns whether it exited 0. */
    private boolean run(List<String> command, Duration timeout, boolean required) {
        List<String> full = new ArrayList<>();
        if (dropPrivileges) {
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER, "--regid=nogroup", "--clear-groups", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("PostgreSQL command timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0 && required) {
                throw new IllegalStateException("PostgreSQL command failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + output.strip());
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running PostgreSQL", e);
        }
    }

    private void chownIfRoot(Path file) throws IOException {
        if (dropPrivileges) {
            chownTree(file, UNPRIVILEGED_USER, List.of());
        }
    }

    private static Path unpackBinaries(Path cache, boolean root) throws IOException {
        URL archive = EmbeddedPostgres.class.getClassLoader().getResource(BINARIES_RESOURCE);
        if (archive == null) {
            throw new IllegalStateException("PostgreSQL binaries (" + BINARIES_RESOURCE + ") are not on the classpath");
        }
        // The jar's URL names its version, so a new binaries release unpacks into a new folder.
        String key = "pg-" + sha256(archive.toString()).substring(0, 16);
        Path target = cache.resolve(key);
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Files.createDirectories(cache);
        Path staging = Files.createTempDirectory(cache, key + ".");
        log.info("Unpacking PostgreSQL binaries into {}", target);
        try (InputStream in = archive.openStream();
                var tar = new TarArchiveInputStream(new XZInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = staging.resolve(entry.getName()).normalize();
                if (!out.startsWith(staging)) {
                    throw new IOException("Archive entry escapes the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        out.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        try (Stream<Path> paths = Files.walk(staging)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (!Files.isSymbolicLink(p)) {
                    p.toFile().setReadable(true, false);
                    if (Files.isDirectory(p)) {
                        p.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        staging.toFile().setReadable(true, false);
        staging.toFile().setExecutable(true, false);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                throw raced;
            }
        }
        if (root) {
            makeTraversable(target);
        }
        return target;
    }

    /** The unprivileged server must be able to reach its binaries through every parent folder. */
    private static void makeTraversable(Path path) {
        for (Path p = path; p != null; p = p.getParent()) {
            p.toFile().setExecutable(true, false);
        }
    }

    private static void chownTree(Path root, String user, List<Path> skip) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        var owner = lookup.lookupPrincipalByName(user);
        var group = lookup.lookupPrincipalByGroupName("nogroup");
        makeTraversable(root.getParent());
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (skip.stream().anyMatch(s -> p.startsWith(s) && !p.equals(s))) {
                    continue;
                }
                Files.setOwner(p, owner);
                Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            }
        }
    }

    private static String readOrCreatePassword(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Files.writeString(file, password);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return password;
    }

    private static String sha256(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The port in postmaster.pid when the process it names is alive, else 0. */
    private static int runningPort(Path data) {
        Path pidFile = data.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).strip());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive && lines.size() > 3 ? Integer.parseInt(lines.get(3).strip()) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
