package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How many sandboxes beyond the normal warm pool the sessions about to start get. */
class PrewarmSizingTest {

    @Test
    void eachLearnerWithoutASandboxGetsOne() {
        assertThat(PrewarmSizing.extra(List.of(2), 8)).isEqualTo(2);
    }

    @Test
    void sessionsStartingTogetherAddUp() {
        assertThat(PrewarmSizing.extra(List.of(2, 3), 8)).isEqualTo(5);
    }

    @Test
    void neverMoreThanTheRoomUnderMaxTotal() {
        assertThat(PrewarmSizing.extra(List.of(30), 6)).isEqualTo(6);
    }

    @Test
    void aFullHostPreWarmsNothing() {
        assertThat(PrewarmSizing.extra(List.of(4), 0)).isZero();
    }

    @Test
    void noSessionNearItsStartPreWarmsNothing() {
        assertThat(PrewarmSizing.extra(List.of(), 8)).isZero();
    }
}
