package dev.secretstore.bench.cluster;

/**
 * Latencies in microseconds in log-linear buckets (the HdrHistogram layout, small): values below
 * {@value #SUB_BUCKETS} are exact, larger ones keep their top {@value #SUB_BITS} bits, so a reported
 * percentile is at most 1/64 (1.6%) above the true value and never below it. Percentiles report the
 * upper end of their bucket, capped at the largest value recorded. Thread-safe (synchronized; a few
 * thousand records a second do not contend).
 */
public final class LatencyHistogram {
    static final int SUB_BITS = 7;
    static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int HALF = SUB_BUCKETS / 2;
    private static final int MAX_SHIFT = 63 - SUB_BITS + 1;

    private final long[] counts = new long[index(Long.MAX_VALUE) + 1];
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max;

    /** The bucket of a value ≥ 0. */
    static int index(long v) {
        if (v < SUB_BUCKETS) return (int) v;
        int shift = 63 - Long.numberOfLeadingZeros(v) - (SUB_BITS - 1);
        long mantissa = v >>> shift; // in [SUB_BUCKETS/2, SUB_BUCKETS)
        return shift * HALF + (int) mantissa;
    }

    /** The largest value that falls into bucket {@code i}. */
    static long highestEquivalent(int i) {
        if (i < SUB_BUCKETS) return i;
        int shift = i / HALF - 1;
        long mantissa = i - shift * HALF;
        if (shift >= MAX_SHIFT) return Long.MAX_VALUE;
        return ((mantissa + 1) << shift) - 1;
    }

    public synchronized void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        count++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
    }

    public synchronized void add(LatencyHistogram other) {
        LatencyHistogram o = other.copy();
        for (int i = 0; i < counts.length; i++) counts[i] += o.counts[i];
        count += o.count;
        sum += o.sum;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
    }

    public synchronized LatencyHistogram copy() {
        LatencyHistogram c = new LatencyHistogram();
        System.arraycopy(counts, 0, c.counts, 0, counts.length);
        c.count = count;
        c.sum = sum;
        c.min = min;
        c.max = max;
        return c;
    }

    /** Returns a copy and empties this one (for per-interval figures). */
    public synchronized LatencyHistogram drain() {
        LatencyHistogram c = copy();
        java.util.Arrays.fill(counts, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = 0;
        return c;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long max() {
        return max;
    }

    public synchronized long min() {
        return count == 0 ? 0 : min;
    }

    public synchronized double mean() {
        return count == 0 ? 0 : (double) sum / count;
    }

    /**
     * The value at percentile {@code p} (0 &lt; p ≤ 100): the smallest bucket bound below which at least
     * {@code ⌈p/100 · count⌉} values lie; 0 when empty.
     */
    public synchronized long percentile(double p) {
        if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        if (count == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(highestEquivalent(i), max);
        }
        return max;
    }
}
