package dev.servicelab.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Where a reconnecting terminal client goes on. Each replica attaches to the learner's tmux session
 * on its own and counts that attach's bytes from zero, so a sequence number is only meaningful in
 * the stream that produced it.
 */
class OutputRingTest {

    private static final long FRESH = 10;

    private static OutputRing ringWith(int bytes) {
        OutputRing ring = new OutputRing(1024);
        byte[] data = "x".repeat(bytes).getBytes(StandardCharsets.UTF_8);
        ring.append(data, data.length);
        return ring;
    }

    @Test
    void aClientOfThisStreamResumesWhereItLeft() {
        OutputRing ring = ringWith(100);

        assertThat(ring.resumeFrom(40, ring.stream(), FRESH)).isEqualTo(40);
    }

    @Test
    void aClientComingFromAnotherReplicasStreamStartsThisOneAfreshEvenWhereItsOffsetExistsHere() {
        OutputRing otherReplica = ringWith(30);
        OutputRing ring = ringWith(100);

        // Offset 30 exists here too, but names other bytes: resuming there would skip tmux's redraw.
        assertThat(ring.resumeFrom(30, otherReplica.stream(), FRESH)).isEqualTo(90);
    }

    @Test
    void aClientComingFromALongerStreamStartsThisOneAfresh() {
        OutputRing otherReplica = ringWith(500);
        OutputRing ring = ringWith(5);

        assertThat(ring.resumeFrom(500, otherReplica.stream(), FRESH)).isZero();
    }

    @Test
    void aNewPageGetsTheRecentOutput() {
        OutputRing ring = ringWith(100);

        assertThat(ring.resumeFrom(-1, ring.stream(), FRESH)).isEqualTo(90);
    }

    @Test
    void aClientNamingNoStreamIsTakenAtItsWord() {
        OutputRing ring = ringWith(100);

        assertThat(ring.resumeFrom(40, "", FRESH)).isEqualTo(40);
        assertThat(ring.resumeFrom(400, "", FRESH)).isEqualTo(90);
    }

    @Test
    void everyShellHasAStreamOfItsOwn() {
        assertThat(new OutputRing(16).stream()).isNotEqualTo(new OutputRing(16).stream());
    }
}
