package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void bucketsAreContiguousAndEachValueFallsInsideItsBucket() {
        for (long v = 0; v < 100_000; v++) {
            int i = LatencyHistogram.index(v);
            assertThat(LatencyHistogram.highestEquivalent(i)).isGreaterThanOrEqualTo(v);
            if (i > 0) assertThat(LatencyHistogram.highestEquivalent(i - 1)).isLessThan(v);
        }
        for (int i = 1; i < LatencyHistogram.index(1L << 40); i++) {
            assertThat(LatencyHistogram.index(LatencyHistogram.highestEquivalent(i - 1) + 1)).isEqualTo(i);
        }
        assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isPositive();
    }

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) h.record(v);
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.percentile(50)).isEqualTo(50);
        assertThat(h.percentile(99)).isEqualTo(99);
        assertThat(h.percentile(100)).isEqualTo(100);
        assertThat(h.percentile(0.5)).isEqualTo(1);
        assertThat(h.min()).isEqualTo(1);
        assertThat(h.max()).isEqualTo(100);
        assertThat(h.mean()).isEqualTo(50.5);
    }

    @Test
    void percentilesOfLargeValuesAreWithinOneBucketAboveTheExactRank() {
        Random rnd = new Random(42);
        long[] values = new long[20_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(rnd.nextDouble() * Math.log(5_000_000)); // 1 µs … 5 s, log-uniform
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {1, 10, 50, 90, 95, 99, 99.9, 100}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long reported = h.percentile(p);
            assertThat(reported).as("p%s", p).isGreaterThanOrEqualTo(exact);
            assertThat((double) reported).as("p%s", p).isLessThanOrEqualTo(exact * (1 + 1.0 / 64) + 1);
        }
        assertThat(h.percentile(100)).isEqualTo(values[values.length - 1]);
    }

    @Test
    void emptyAddDrainAndBadPercentiles() {
        LatencyHistogram a = new LatencyHistogram();
        assertThat(a.percentile(99)).isZero();
        assertThat(a.min()).isZero();
        assertThat(a.mean()).isZero();
        a.record(1000);
        a.record(-5); // clamped to 0
        LatencyHistogram b = new LatencyHistogram();
        b.record(3000);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.max()).isEqualTo(3000);
        assertThat(a.min()).isZero();
        LatencyHistogram drained = a.drain();
        assertThat(drained.count()).isEqualTo(3);
        assertThat(drained.percentile(100)).isEqualTo(3000);
        assertThat(a.count()).isZero();
        assertThat(a.percentile(50)).isZero();
        assertThatThrownBy(() -> a.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
