package dev.servicelab.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the sandbox ledger reads or writes the {@code sandbox} table: everyone else asks it, so the
 * rules about sandbox records (what "active" means, what a touch may change) live in one place.
 */
class SandboxTableOwnershipTest {

    private static final Pattern SQL_ON_SANDBOX_TABLE = Pattern.compile("(?i)\\b(from|into|update|join)\\s+sandbox\\b(?!_)");
    private static final Path SOURCES = Path.of("src/main/java");

    static List<String> offenders(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getFileName().toString().equals("JdbcSandboxLedger.java"))
                    .filter(f -> SQL_ON_SANDBOX_TABLE.matcher(read(f)).find())
                    .map(f -> root.relativize(f).toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void noClassButTheLedgerHasSqlOnTheSandboxTable() {
        assertThat(offenders(SOURCES)).isEmpty();
    }

    @Test
    void theRuleCatchesAQueryWrittenElsewhere(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("Sneaky.java"), "class Sneaky { String q = \"select lab_id from sandbox where owner = ?\"; }");
        Files.writeString(dir.resolve("Fine.java"), "class Fine { String q = \"select * from sandbox_snapshot\"; }");
        assertThat(offenders(dir)).containsExactly("Sneaky.java");
    }
}
