package dev.servicelab.provisioner;

import java.time.Instant;
import java.util.Objects;

/**
 * A sandbox's cluster saved by the platform: its datastore (kine's SQLite file), the keys that signed
 * its certificates and ServiceAccount tokens, and the names of its nodes, as one compressed archive.
 * A new sandbox started from it holds the learner's objects again. Only a node of the same
 * {@code image} may restore it: another Kubernetes version could read the datastore differently.
 *
 * @param image the node image the snapshot came from
 * @param archive the compressed archive (provisioner-specific layout)
 * @param contentHash SHA-256 of the uncompressed content, so an unchanged cluster is not stored twice
 * @param takenAt when the cluster was frozen for the copy
 */
public record SandboxSnapshot(String image, byte[] archive, String contentHash, Instant takenAt) {

    public SandboxSnapshot {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(contentHash, "contentHash");
        Objects.requireNonNull(takenAt, "takenAt");
    }

    public int size() {
        return archive.length;
    }

    /** Refuses a snapshot that a node of {@code nodeImage} must not restore, saying what to do instead. */
    public void requireCompatibleWith(String nodeImage) {
        if (!image.equals(nodeImage)) {
            throw new SandboxException(SandboxException.Reason.INCOMPATIBLE_SNAPSHOT, "The saved cluster was taken "
                    + "from node image " + image + ", but sandboxes now run " + nodeImage + ", which may not read it "
                    + "correctly. Start a fresh cluster instead: the lab's setup and the steps you passed are replayed.");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SandboxSnapshot s && image.equals(s.image) && contentHash.equals(s.contentHash)
                && takenAt.equals(s.takenAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(image, contentHash, takenAt);
    }

    @Override
    public String toString() {
        return "SandboxSnapshot[image=" + image + ", size=" + archive.length + ", takenAt=" + takenAt + "]";
    }
}
