package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FieldPath reads a field of an object given as plain maps and lists, as labs name fields. */
class FieldPathTest {

    private static final Map<String, Object> SERVICE = Map.of(
            "metadata", Map.of("name", "web", "labels", Map.of("app.kubernetes.io/name", "shop", "tier", "front")),
            "spec", Map.of("type", "NodePort", "ports", List.of(
                    Map.of("name", "http", "port", 80, "targetPort", 8080),
                    Map.of("name", "metrics", "port", 9090, "targetPort", "prom"))));

    @Test
    void dotsDescendIntoMaps() {
        assertThat(FieldPath.read(SERVICE, "spec.type")).contains("NodePort");
    }

    @Test
    void aNumberInBracketsIndexesAList() {
        assertThat(FieldPath.read(SERVICE, "spec.ports[1].port")).contains(9090);
    }

    @Test
    void keyEqualsValueInBracketsPicksTheListItemWithThatField() {
        assertThat(FieldPath.read(SERVICE, "spec.ports[name=metrics].targetPort")).contains("prom");
        assertThat(FieldPath.read(SERVICE, "spec.ports[name='http'].port")).contains(80);
    }

    @Test
    void aQuotedKeyInBracketsMayContainDotsAndSlashes() {
        assertThat(FieldPath.read(SERVICE, "metadata.labels[\"app.kubernetes.io/name\"]")).contains("shop");
        assertThat(FieldPath.read(SERVICE, "metadata.labels['tier']")).contains("front");
    }

    @Test
    void aPathThroughAMissingFieldIsEmpty() {
        assertThat(FieldPath.read(SERVICE, "spec.externalName")).isEmpty();
        assertThat(FieldPath.read(SERVICE, "status.loadBalancer.ingress[0].ip")).isEmpty();
    }

    @Test
    void anIndexPastTheEndOrANameNoItemHasIsEmpty() {
        assertThat(FieldPath.read(SERVICE, "spec.ports[2].port")).isEmpty();
        assertThat(FieldPath.read(SERVICE, "spec.ports[name=grpc].port")).isEmpty();
    }

    @Test
    void bracketsOnSomethingThatIsNoListAreEmpty() {
        assertThat(FieldPath.read(SERVICE, "spec.type[0]")).isEmpty();
        assertThat(FieldPath.read(SERVICE, "spec.ports.port")).isEmpty();
    }

    @Test
    void aWholeSubtreeCanBeRead() {
        assertThat(FieldPath.read(SERVICE, "spec.ports[0]")).contains(Map.of("name", "http", "port", 80, "targetPort", 8080));
    }

    @Test
    void segmentsSplitDotsAndBracketsAndUnquoteKeys() {
        assertThat(FieldPath.segments("metadata.labels[\"a.b/c\"].x[0][name=http]"))
                .containsExactly("metadata", "labels", "a.b/c", "x", "[0]", "[name=http]");
    }
}
