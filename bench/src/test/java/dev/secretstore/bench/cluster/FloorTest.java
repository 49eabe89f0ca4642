package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The floor counts, checked against hand counts of the session code (docs/benchmarks.md). */
class FloorTest {
    private static Map<Primitive, Long> totals(Operation op, int n, int t) {
        return Floor.totals(Floor.lines(op, n, t));
    }

    private static Map<Primitive, Long> counts(long kG, long kP, long kPAgain, long aP, long aGbP, long recover) {
        Map<Primitive, Long> m = new EnumMap<>(Primitive.class);
        if (kG > 0) m.put(Primitive.K_G, kG);
        if (kP > 0) m.put(Primitive.K_P, kP);
        if (kPAgain > 0) m.put(Primitive.K_P_AGAIN, kPAgain);
        if (aP > 0) m.put(Primitive.PUB_K_P, aP);
        if (aGbP > 0) m.put(Primitive.PUB_AG_BP, aGbP);
        if (recover > 0) m.put(Primitive.RECOVER, recover);
        return m;
    }

    /** Generation multiplies the Pedersen H, never another point again. */
    private static Map<Primitive, Long> generation(long kG, long kH, long aP) {
        Map<Primitive, Long> m = counts(kG, 0, 0, aP, 0, 1);
        m.put(Primitive.K_H, kH);
        return m;
    }

    @Test
    void threeNodesThresholdOne() {
        assertThat(totals(Operation.GENERATE, 3, 1)).isEqualTo(generation(15, 12, 15));
        assertThat(totals(Operation.STORE, 3, 1)).isEqualTo(counts(0, 0, 0, 0, 0, 1));
        assertThat(totals(Operation.SHADOW, 3, 1)).isEqualTo(counts(8, 8, 2, 8, 2, 1));
        assertThat(totals(Operation.RETRIEVE, 3, 1)).isEqualTo(counts(5, 7, 2, 8, 2, 1));
        assertThat(totals(Operation.SCHNORR, 3, 1)).isEqualTo(counts(7, 1, 0, 4, 3, 1));
        assertThat(totals(Operation.ECDSA, 3, 1)).isEqualTo(counts(46, 4, 3, 39, 7, 2));
    }

    @Test
    void generationGrowsWithNSquaredTimesT() {
        for (int n : new int[] {3, 5, 7, 10, 16}) {
            int t = (n - 1) / 2;
            // per node: N+t+1 k·G, N+t k·H, (2N−1)·t a·P; plus the master's recovery
            assertThat(totals(Operation.GENERATE, n, t)).isEqualTo(
                    generation((long) n * (n + t + 1), (long) n * (n + t), (long) n * (2L * n - 1) * t));
        }
        assertThat(totals(Operation.GENERATE, 16, 7).get(Primitive.PUB_K_P)).isEqualTo(16 * 31 * 7);
    }

    @Test
    void retrievalDependsOnTheGroupNotOnN() {
        for (int t = 1; t <= 7; t++) {
            long m = t + 1;
            Map<Primitive, Long> shadow = counts(4 * m, 3 * m + 2, m, m * (t + 3), m, 1);
            assertThat(totals(Operation.SHADOW, 2 * t + 1, t)).isEqualTo(shadow);
            assertThat(totals(Operation.SHADOW, 16, t)).isEqualTo(shadow);
        }
    }

    @Test
    void signingFormulas() {
        int t = 3;
        long m = t + 1;
        assertThat(totals(Operation.SCHNORR, 7, t)).isEqualTo(counts(m * (t + 1) + m * (m - 1) + 1, 1, 0, m * (m - 1) * t + m * t, m + 1, 1));
        long e = 2 * t + 1;
        assertThat(totals(Operation.ECDSA, 7, t)).isEqualTo(counts(e * (4 * t + 2) + 3 * e * (e - 1) + 3 * e + 1, e + 1, e,
                4L * t * e * (e - 1) + e * (4 * t + 1), 2 * e + 1, 2));
    }

    @Test
    void everyLineSaysWhoAndWhy() {
        for (Operation op : Operation.values()) {
            for (Floor.Line l : Floor.lines(op, 5, 2)) {
                assertThat(l.count()).isPositive();
                assertThat(l.who()).isNotBlank();
                assertThat(l.why()).isNotBlank();
            }
        }
    }

    @Test
    void impossibleConfigurationsAreRefused() {
        assertThatThrownBy(() -> Floor.lines(Operation.ECDSA, 3, 0)).hasMessageContaining("ECDSA");
        assertThatThrownBy(() -> Floor.lines(Operation.ECDSA, 4, 2)).hasMessageContaining("2t+1");
        assertThatThrownBy(() -> Floor.lines(Operation.SHADOW, 3, 3)).hasMessageContaining("threshold");
    }

    @Test
    void pricesMultiplyAndAdd() {
        Map<Primitive, Double> prices = new EnumMap<>(Primitive.class);
        prices.put(Primitive.K_G, 10.0);
        prices.put(Primitive.RECOVER, 40.0);
        assertThat(Floor.micros(counts(3, 0, 0, 0, 0, 1), prices)).isEqualTo(70.0);
        assertThat(Floor.micros(counts(0, 0, 0, 0, 0, 0), prices)).isZero();
        assertThatThrownBy(() -> Floor.micros(counts(0, 1, 0, 0, 0, 0), prices)).hasMessageContaining("K_P");
    }
}
