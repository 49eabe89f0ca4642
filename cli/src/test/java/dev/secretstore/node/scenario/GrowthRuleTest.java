package dev.secretstore.node.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's levelling-off rule ({@link GrowthRule}) on made-up curves. */
class GrowthRuleTest {
    private static final GrowthRule HEAP_KB = new GrowthRule("heap after GC (KB)", 1.10, 4096);

    private static List<Long> curve(int minutes, java.util.function.IntToLongFunction f) {
        List<Long> xs = new ArrayList<>();
        for (int m = 0; m < minutes; m++) xs.add(f.applyAsLong(m));
        return xs;
    }

    @Test
    void aHeapThatGrowsLinearlyToTheEndIsALeak() {
        // 13 MB + 0.8 MB a minute: the last third's peak is ~33% above the middle third's
        assertThat(HEAP_KB.violation(curve(60, m -> 13_000 + 800L * m))).isPresent();
    }

    @Test
    void aHeapThatFillsACacheForTenMinutesThenStaysLevelsOff() {
        // the 12.9 → 21 MB of the issue, then flat with ±1 MB of noise
        assertThat(HEAP_KB.violation(curve(60, m -> Math.min(12_900 + 810L * m, 21_000) + (m % 3 - 1) * 1000L))).isEmpty();
    }

    @Test
    void aSlowLeakBeyondTheSlackIsStillALeak() {
        // one thread more a minute: 99 at the end against 79 at the end of the middle third
        GrowthRule threads = new GrowthRule("threads", 1.10, 4);
        assertThat(threads.violation(curve(60, m -> 40 + m))).isPresent();
        assertThat(threads.violation(curve(60, m -> 40 + (m % 2)))).isEmpty();
    }

    @Test
    void tooFewSamplesTellNothing() {
        assertThat(HEAP_KB.violation(curve(GrowthRule.MIN_SAMPLES - 1, m -> 1L << (10 * m)))).isEmpty();
    }
}
