package dev.servicelab.provisioner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The layout of a sandbox's snapshot, the same for every provisioner: a gzipped tar of {@code snapshot.properties} (format,
 * node image, node names) and, under {@code server/}, the files of the server node's
 * {@code /var/lib/rancher/k3s/server/} that a restored cluster needs: kine's SQLite datastore with its
 * write-ahead log, the cluster CA and the ServiceAccount signing key (so that the certificates and
 * tokens the old cluster issued stay valid). Everything else the node regenerates at start.
 */
public record SnapshotArchive(Properties meta, Map<String, byte[]> files) {

    public static final String SERVER_DIR = "/var/lib/rancher/k3s/server/";
    /** What is saved, relative to {@link #SERVER_DIR}: a directory (all its files) or a file. */
    public static final List<String> SAVED = List.of("db", "tls/ca.crt", "tls/ca.key", "tls/service-account.key",
            "tls/service-account.pub");
    private static final String FORMAT = "1";
    private static final String META = "snapshot.properties";
    private static final String FILES = "server/";

    public static SandboxSnapshot write(String image, Map<SandboxNode.Role, String> nodeNames, Map<String, byte[]> files,
            Instant takenAt) {
        // SQLite rebuilds the shared-memory index from the write-ahead log; a copy of it would be stale.
        Map<String, byte[]> kept = new TreeMap<>(files);
        kept.keySet().removeIf(name -> name.endsWith("-shm"));
        if (!kept.containsKey("db/state.db")) {
            throw new SandboxException(SandboxException.Reason.DEAD, "The sandbox's datastore (db/state.db) was not found");
        }
        Properties meta = new Properties();
        meta.setProperty("format", FORMAT);
        meta.setProperty("image", image);
        meta.setProperty("taken-at", takenAt.toString());
        nodeNames.forEach((role, name) -> meta.setProperty("node." + role.label(), name));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (var tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
                StringWriter text = new StringWriter();
                meta.store(text, "ServiceLab sandbox snapshot");
                add(tar, META, text.toString().getBytes(StandardCharsets.UTF_8));
                for (var file : kept.entrySet()) {
                    digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                    digest.update(file.getValue());
                    add(tar, FILES + file.getKey(), file.getValue());
                }
            }
            return new SandboxSnapshot(image, bytes.toByteArray(), HexFormat.of().formatHex(digest.digest()), takenAt);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot write a snapshot archive: " + e.getMessage(), e);
        }
    }

    public static SnapshotArchive read(byte[] archive) {
        Properties meta = new Properties();
        Map<String, byte[]> files = new TreeMap<>();
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().equals(META)) {
                    meta.load(new StringReader(new String(tar.readAllBytes(), StandardCharsets.UTF_8)));
                } else if (entry.isFile() && entry.getName().startsWith(FILES)) {
                    files.put(entry.getName().substring(FILES.length()), tar.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw unreadable(e.getMessage());
        }
        if (!FORMAT.equals(meta.getProperty("format")) || !files.containsKey("db/state.db")) {
            throw unreadable("format " + meta.getProperty("format") + ", files " + files.keySet());
        }
        return new SnapshotArchive(meta, files);
    }

    public Optional<String> nodeName(SandboxNode.Role role) {
        return Optional.ofNullable(meta.getProperty("node." + role.label()));
    }

    private static SandboxException unreadable(String detail) {
        return new SandboxException(SandboxException.Reason.INCOMPATIBLE_SNAPSHOT, "The saved cluster cannot be read ("
                + detail + "). Start a fresh cluster instead: the lab's setup and the steps you passed are replayed.");
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0600);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
