package dev.servicelab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which faults a learner gets: always the same for them, different for their classmates, every fault in use. */
class FaultPoolTest {

    private static final String LAB = "broken-shop-2";

    private static FaultPool pool(int size, int choose) {
        List<LabStep> faults = IntStream.range(0, size).mapToObj(i -> new LabStep("fault-" + i, "Fault " + i, "text",
                List.of(), List.of(), List.of("hint"), new LabStep.Solution(List.of(), List.of("true"), List.of()),
                List.of())).toList();
        return new FaultPool(List.of(), choose, faults);
    }

    private static List<String> ids(List<LabStep> faults) {
        return faults.stream().map(LabStep::id).toList();
    }

    @Test
    void aLearnerAlwaysGetsTheSameFaultsInPoolOrder() {
        FaultPool pool = pool(7, 4);
        List<String> first = ids(pool.draw(1234, LAB));
        assertThat(first).hasSize(4).doesNotHaveDuplicates().isSortedAccordingTo(
                (a, b) -> Integer.compare(Integer.parseInt(a.substring(6)), Integer.parseInt(b.substring(6))));
        // a fresh pool object, as after a restart or on another replica
        assertThat(ids(pool(7, 4).draw(1234, LAB))).isEqualTo(first);
    }

    @Test
    void aClassSigningUpTogetherGetsAllDifferentSets() {
        FaultPool pool = pool(7, 4);
        assertThat(pool.sets()).isEqualTo(35);
        Set<List<String>> sets = new HashSet<>();
        for (long id = 500; id < 535; id++) {
            sets.add(ids(pool.draw(id, LAB)));
        }
        assertThat(sets).as("35 consecutive accounts, 35 different sets").hasSize(35);
    }

    @Test
    void neighboursShareFewFaultsOnAverage() {
        FaultPool pool = pool(7, 4);
        int shared = 0;
        for (long id = 1; id <= 35; id++) {
            Set<String> mine = new HashSet<>(ids(pool.draw(id, LAB)));
            mine.retainAll(ids(pool.draw(id + 1, LAB)));
            shared += mine.size();
        }
        // two 4-sets of 7 share at least 1 and 16/7 ≈ 2.3 on average when drawn at random
        assertThat(shared / 35.0).isLessThanOrEqualTo(2.4);
    }

    @Test
    void everyFaultOfThePoolIsDrawnEquallyOften() {
        FaultPool pool = pool(7, 4);
        Map<String, Integer> counts = new HashMap<>();
        for (long id = 0; id < pool.sets(); id++) {
            pool.draw(id, LAB).forEach(f -> counts.merge(f.id(), 1, Integer::sum));
        }
        assertThat(counts).hasSize(7).allSatisfy((id, count) -> assertThat(count).isEqualTo(20)); // C(6, 3)
    }

    @Test
    void anotherLabShiftsTheDraw() {
        FaultPool pool = pool(7, 4);
        long differing = IntStream.range(0, 35).filter(id -> !ids(pool.draw(id, LAB)).equals(ids(pool.draw(id, "other-lab"))))
                .count();
        assertThat(differing).isGreaterThan(0);
    }

    @Test
    void anyAccountIdDrawsAValidSetEvenNegativeOrHuge() {
        FaultPool pool = pool(20, 10);
        for (long id : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertThat(pool.draw(id, LAB)).hasSize(10).doesNotHaveDuplicates();
        }
    }

    @Test
    void choosingTheWholePoolGivesEveryoneEveryFault() {
        assertThat(ids(pool(3, 3).draw(99, LAB))).containsExactly("fault-0", "fault-1", "fault-2");
    }
}
