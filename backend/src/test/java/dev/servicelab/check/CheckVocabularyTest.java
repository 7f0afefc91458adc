package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.lab.CheckType;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The keys each check type takes are declared once, in {@link CheckType} (the labs module's loader
 * refuses a lab that uses others): every key a check reads must be declared for a type it serves, so
 * a check cannot quietly read a key no lab file may contain.
 */
class CheckVocabularyTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/servicelab/check");
    private static final Pattern READS = Pattern.compile(
            "spec\\.(?:text|integer|map)\\(\"(\\w+)\"\\)|spec\\.params\\(\\)\\.(?:get|containsKey)\\(\"(\\w+)\"\\)");

    @Test
    void everyKeyACheckReadsIsDeclaredForATypeItServes() throws Exception {
        List<String> undeclared = new ArrayList<>();
        int checked = 0;
        for (Path source : checkSources()) {
            String name = source.getFileName().toString().replace(".java", "");
            Set<CheckType> types = types(name);
            for (String key : keysRead(Files.readString(source))) {
                checked++;
                if (types.stream().noneMatch(type -> type.allows(key))) {
                    undeclared.add(name + " reads \"" + key + "\", which none of " + types + " declares");
                }
            }
        }
        assertThat(checked).as("keys found in the check sources").isGreaterThan(40);
        assertThat(undeclared).isEmpty();
    }

    @Test
    void aKeyTheVocabularyDoesNotDeclareIsCaught() {
        List<String> keys = keysRead("String u = spec.text(\"address\"); var s = spec.params().get(\"url\");");
        assertThat(keys).containsExactly("address", "url");
        assertThat(CheckType.HTTP.allows("address")).isFalse();
    }

    private static List<Path> checkSources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(f -> {
                try {
                    return Files.readString(f).matches("(?s).*\\bclass \\w+ implements Check\\b.*");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).sorted().toList();
        }
    }

    private static Set<CheckType> types(String className) throws Exception {
        // types() needs none of what a check is given (its collaborators): nulls will do.
        Constructor<?> constructor = Class.forName("dev.servicelab.check." + className).getDeclaredConstructors()[0];
        constructor.setAccessible(true);
        return ((Check) constructor.newInstance(new Object[constructor.getParameterCount()])).types();
    }

    private static List<String> keysRead(String source) {
        List<String> keys = new ArrayList<>();
        Matcher m = READS.matcher(source);
        while (m.find()) {
            keys.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return keys;
    }
}
