package dev.servicelab.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * A lab's pool of independent faults, of which each learner gets {@code choose}, so that answers
 * cannot be copied from a neighbour. Each fault is a step of its own (symptom, checks, hints,
 * solution, wrong answers) whose {@code setup} breaks the shop; {@code setup} here is what every
 * learner gets, broken or not.
 *
 * <p>The draw depends only on the learner's account id and the lab id, so every page, replica,
 * restart, start over and the grader see the same faults. It is no coin toss: the learner's id
 * picks one of the C(n, k) sets by a bijection, so learners whose ids lie within any C(n, k)
 * consecutive ids (a class signing up together) all get different sets, and every fault is drawn
 * equally often. The lab id shifts the bijection, so one learner's draws differ between labs, and a
 * stride near C(n, k)/φ makes neighbouring ids land far apart in the list of sets.
 */
public record FaultPool(List<String> setup, int choose, List<LabStep> pool) {

    /** Keeps C(n, k) small enough for exact arithmetic in a long (C(20, 10) = 184,756). */
    public static final int MAX_POOL = 20;

    private static final double GOLDEN_RATIO = (1 + Math.sqrt(5)) / 2;

    public FaultPool {
        setup = List.copyOf(setup);
        pool = List.copyOf(pool);
        if (choose < 1 || choose > pool.size() || pool.size() > MAX_POOL) {
            throw new IllegalArgumentException("choose " + choose + " of a pool of " + pool.size()
                    + " faults: choose must be between 1 and the pool size, the pool at most " + MAX_POOL);
        }
    }

    /** How many different sets of faults learners can get. */
    public long sets() {
        return binomial(pool.size(), choose);
    }

    /** The learner's faults, in the pool's order. */
    public List<LabStep> draw(long learnerId, String labId) {
        long sets = sets();
        long rank = Math.floorMod(Math.floorMod(learnerId, sets) * stride(sets) + labId.hashCode(), sets);
        return unrank(rank).stream().map(pool::get).toList();
    }

    /** The smallest number from C/φ up that is coprime with C, so that rank = id * stride is a bijection mod C. */
    static long stride(long sets) {
        long stride = Math.max(1, Math.round(sets / GOLDEN_RATIO));
        while (gcd(stride, sets) != 1) {
            stride++;
        }
        return stride;
    }

    /** The rank-th k-subset of the pool's indices in lexicographic order (combinatorial number system). */
    private List<Integer> unrank(long rank) {
        List<Integer> chosen = new ArrayList<>();
        int n = pool.size();
        int next = 0;
        for (int left = choose; left > 0; left--) {
            // Skip candidates whose block of subsets (those starting with it) lies wholly before rank.
            while (true) {
                long block = binomial(n - next - 1, left - 1);
                if (rank < block) {
                    break;
                }
                rank -= block;
                next++;
            }
            chosen.add(next++);
        }
        return chosen;
    }

    static long binomial(int n, int k) {
        if (k < 0 || k > n) {
            return 0;
        }
        long result = 1;
        for (int i = 1; i <= k; i++) {
            result = result * (n - k + i) / i; // exact: a product of i consecutive numbers is divisible by i!
        }
        return result;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
