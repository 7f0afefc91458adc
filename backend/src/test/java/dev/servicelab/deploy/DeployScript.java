package dev.servicelab.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs one of deploy/*.sh from the project root and asserts its verdict (exit 77: no Docker, skip). */
final class DeployScript {

    private DeployScript() {
    }

    static String run(String script, String logName, int minutes) throws IOException, InterruptedException {
        Path root = projectRoot();
        Path log = root.resolve("backend/target/" + logName);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder("bash", script).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        if (finished && process.exitValue() == 77) {
            abort("No Docker engine answers: " + output.strip());
        }
        assertThat(finished).as(script + " finished within " + minutes + " minutes").isTrue();
        assertThat(output).doesNotContainPattern("\\] FAIL "); // a failed check

        assertThat(process.exitValue()).as(script + " exit code; output:\n" + output).isZero();
        return output;
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
