package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The expectation matcher: null when a field's value is what a lab wants, else what is wrong, in words. */
class ExpectationTest {

    private static Optional<Object> value(Object value) {
        return Optional.ofNullable(value);
    }

    @Test
    void aScalarIsComparedAsTextSoANumberMatchesItsString() {
        assertThat(Expectation.mismatch(value(8080), "8080")).isNull();
        assertThat(Expectation.mismatch(value("8080"), 8080)).isNull();
    }

    @Test
    void aWholeDoubleMatchesTheIntegerALabWrote() {
        assertThat(Expectation.mismatch(value(3.0), 3)).isNull();
        assertThat(Expectation.text(2.5)).isEqualTo("2.5");
    }

    @Test
    void aDifferentScalarSaysWhatItIsAndWhatWasExpected() {
        assertThat(Expectation.mismatch(value("ClusterIP"), "NodePort")).isEqualTo("is ClusterIP, expected NodePort");
    }

    @Test
    void aMissingFieldIsNotSet() {
        assertThat(Expectation.mismatch(Optional.empty(), "NodePort")).isEqualTo("is not set, expected NodePort");
    }

    @Test
    void existsTrueWantsTheFieldSet() {
        assertThat(Expectation.mismatch(value("x"), Map.of("exists", true))).isNull();
        assertThat(Expectation.mismatch(Optional.empty(), Map.of("exists", true))).isEqualTo("is not set");
    }

    @Test
    void existsFalseWantsTheFieldAbsent() {
        assertThat(Expectation.mismatch(Optional.empty(), Map.of("exists", false))).isNull();
        assertThat(Expectation.mismatch(value("None"), Map.of("exists", "false")))
                .isEqualTo("is set to None, and should not be set");
    }

    @Test
    void inAcceptsAnyOfTheOptions() {
        assertThat(Expectation.mismatch(value("Local"), Map.of("in", List.of("Local", "Cluster")))).isNull();
        assertThat(Expectation.mismatch(value("Other"), Map.of("in", List.of("Local", "Cluster"))))
                .isEqualTo("is Other, expected one of Local, Cluster");
        assertThat(Expectation.mismatch(Optional.empty(), Map.of("in", List.of(1, 2))))
                .isEqualTo("is not set, expected one of 1, 2");
    }

    @Test
    void rangeIncludesBothBounds() {
        Map<String, Object> nodePorts = Map.of("range", List.of(30000, 32767));
        assertThat(Expectation.mismatch(value(30000), nodePorts)).isNull();
        assertThat(Expectation.mismatch(value(32767), nodePorts)).isNull();
        assertThat(Expectation.mismatch(value(8080), nodePorts)).isEqualTo("is 8080, outside 30000-32767");
    }

    @Test
    void rangeOnSomethingThatIsNoNumberSaysANumberWasExpected() {
        assertThat(Expectation.mismatch(value("http"), Map.of("range", List.of(1, 10))))
                .isEqualTo("is http, expected a number in 1-10");
        assertThat(Expectation.mismatch(Optional.empty(), Map.of("range", List.of(1, 10))))
                .isEqualTo("is not set, expected a number in 1-10");
    }

    @Test
    void notRefusesOneValueOnly() {
        assertThat(Expectation.mismatch(value("ClusterIP"), Map.of("not", "None"))).isNull();
        assertThat(Expectation.mismatch(Optional.empty(), Map.of("not", "None"))).isNull();
        assertThat(Expectation.mismatch(value("None"), Map.of("not", "None"))).isEqualTo("is None, which is what it must not be");
    }

    @Test
    void aMapWithoutARuleIsComparedAsAWholeValue() {
        assertThat(Expectation.mismatch(value(Map.of("app", "web")), Map.of("app", "web"))).isNull();
        assertThat(Expectation.mismatch(value(Map.of("app", "api")), Map.of("app", "web"))).isEqualTo("is {app=api}, expected {app=web}");
    }
}
