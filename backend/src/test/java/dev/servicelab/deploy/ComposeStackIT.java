package dev.servicelab.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-machine installation for real: deploy/test-compose.sh builds the platform and PostgreSQL
 * images from this build's jar, brings docker-compose.yml up, enrols a learner and starts a
 * sandbox over HTTP, then takes the stack down and up and checks that nothing was lost. Skipped
 * only when no Docker engine answers (the script exits 77).
 */
class ComposeStackIT {

    @Test
    void theComposeStackServesLearnersAndKeepsTheirDataAcrossDownAndUp() throws IOException, InterruptedException {
        Path root = projectRoot();
        Path log = root.resolve("backend/target/compose-test/test-compose.out");
        Files.createDirectories(log.getParent());
        Process script = new ProcessBuilder("bash", "deploy/test-compose.sh").directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = script.waitFor(40, TimeUnit.MINUTES);
        if (!finished) {
            script.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        if (finished && script.exitValue() == 77) {
            abort("No Docker engine answers: " + output.strip());
        }
        assertThat(finished).as("the compose test finished within 40 minutes").isTrue();
        assertThat(output).contains("compose: ").doesNotContain("FAIL ");
        assertThat(script.exitValue()).as("deploy/test-compose.sh exit code; output:\n" + output).isZero();
    }

    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("docker-compose.yml not found above " + Path.of("").toAbsolutePath());
    }
}
