package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** podAge judges pods by the creationTimestamps the API server wrote, relative to a reference object. */
class PodAgeCheckTest {

    private static final PodAgeCheck.Reference CALLER = new PodAgeCheck.Reference("Pod caller",
            Instant.parse("2026-11-30T06:00:00Z"));

    private static Pod pod(String name, String created) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata().build();
    }

    private static Pod deleting(String name, String created) {
        return new PodBuilder(pod(name, created)).editMetadata().withDeletionTimestamp("2026-11-30T06:00:05Z").endMetadata().build();
    }

    @Test
    void podsAllCreatedAfterTheReferenceWereReplaced() {
        Outcome outcome = PodAgeCheck.verdict("app=web", "default",
                List.of(pod("web-a", "2026-11-30T06:00:10Z"), pod("web-b", "2026-11-30T06:00:11Z")), CALLER, true);
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).contains("All 2 pod(s) labelled app=web were created after Pod caller (created 06:00:00 UTC)");
    }

    @Test
    void aPodOlderThanTheReferenceWasNotReplacedAndIsNamed() {
        Outcome outcome = PodAgeCheck.verdict("app=web", "default",
                List.of(pod("web-a", "2026-11-30T06:00:10Z"), pod("web-old", "2026-11-30T05:50:00Z")), CALLER, true);
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("1 of 2 pod(s) labelled app=web already existed before Pod caller")
                .contains("web-old (created 05:50:00 UTC)").contains("not replaced").doesNotContain("web-a");
    }

    @Test
    void aPodCreatedInTheSameSecondDoesNotCountAsNewer() {
        Outcome outcome = PodAgeCheck.verdict("app=web", "default", List.of(pod("web-a", "2026-11-30T06:00:00Z")), CALLER, true);
        assertThat(outcome.passed()).isFalse();
    }

    @Test
    void podsBeingDeletedAreIgnored() {
        Outcome outcome = PodAgeCheck.verdict("app=web", "default",
                List.of(deleting("web-old", "2026-11-30T05:50:00Z"), pod("web-new", "2026-11-30T06:00:30Z")), CALLER, true);
        assertThat(outcome.passed()).isTrue();
    }

    @Test
    void noLivePodFailsWithTheSelector() {
        Outcome outcome = PodAgeCheck.verdict("app=web", "shop", List.of(), CALLER, true);
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).isEqualTo("No pod labelled app=web is running in shop.");
    }

    @Test
    void aPodKeptFromBeforeTheReferencePassesCreatedBefore() {
        Outcome outcome = PodAgeCheck.verdict("app=shop-debug", "default", List.of(pod("shop-1", "2026-11-30T05:40:00Z")), CALLER, false);
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).contains("were created before Pod caller").contains("kept");
    }

    @Test
    void aFreshPodFailsCreatedBeforeAsANewPod() {
        Outcome outcome = PodAgeCheck.verdict("app=shop-debug", "default", List.of(pod("debug", "2026-11-30T06:01:00Z")), CALLER, false);
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("Pod debug (created 06:01:00 UTC) labelled app=shop-debug was created after Pod caller")
                .contains("it is a new pod");
    }
}
