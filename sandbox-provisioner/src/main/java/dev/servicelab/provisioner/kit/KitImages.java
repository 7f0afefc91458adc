package dev.servicelab.provisioner.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The image tags the sandbox kit builds, read from the kit's versions.env so that the versions are
 * written in one place only.
 */
public record KitImages(String node, String toolbox, String echo, String publicNode) {

    public static KitImages from(Path versionsFile) {
        Map<String, String> v = read(versionsFile);
        return new KitImages(
                "servicelab/kube-node:" + v.get("KUBERNETES_VERSION") + "-" + v.get("NODE_REVISION"),
                "servicelab/toolbox:" + v.get("TOOLBOX_TAG"),
                "servicelab/echo:" + v.get("ECHO_TAG"),
                v.get("PUBLIC_K3S_IMAGE"));
    }

    /** Finds kit/versions.env from the working directory or one of its parents (module or root). */
    public static KitImages fromWorkingDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("sandbox-provisioner/kit/versions.env");
            if (Files.isRegularFile(candidate)) {
                return from(candidate);
            }
            candidate = dir.resolve("kit/versions.env");
            if (Files.isRegularFile(candidate)) {
                return from(candidate);
            }
        }
        throw new IllegalStateException("sandbox-provisioner/kit/versions.env not found above " + Path.of("").toAbsolutePath());
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains("=")) {
                    values.put(trimmed.substring(0, trimmed.indexOf('=')).strip(),
                            trimmed.substring(trimmed.indexOf('=') + 1).strip().replace("\"", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return values;
    }
}
