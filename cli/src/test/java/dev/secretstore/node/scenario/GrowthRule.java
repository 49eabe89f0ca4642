package dev.secretstore.node.scenario;

import java.util.List;
import java.util.Optional;

/**
 * When a series of samples (one per minute) counts as "levelled off" for the soak ({@link SoakIT}): split the
 * samples in thirds by position; the largest value of the last third must not exceed the largest of the middle
 * third by more than {@code factor} plus {@code slack}:
 * {@code max(last third) ≤ max(middle third) × factor + slack}.
 * The first third is warm-up (caches filling, the JIT, the heap finding its size) and is not compared. Growth
 * that goes on to the end (a leak: something kept per request or per key without a bound) passes the middle
 * third's maximum by a share that does not shrink with the length of the run; growth that stops before the
 * middle third does not. {@code slack} keeps sampling noise of small numbers (a few KB of heap, a thread
 * that comes and goes) from failing the rule.
 */
record GrowthRule(String metric, double factor, double slack) {
    static final int MIN_SAMPLES = 6;

    GrowthRule {
        if (factor < 1 || slack < 0) throw new IllegalArgumentException("factor " + factor + ", slack " + slack);
    }

    /** Why {@code samples} keep growing, or empty if they level off (or are too few to tell: fewer than {@link #MIN_SAMPLES}). */
    Optional<String> violation(List<Long> samples) {
        int n = samples.size();
        if (n < MIN_SAMPLES) return Optional.empty();
        long middle = max(samples.subList(n / 3, 2 * n / 3));
        long last = max(samples.subList(2 * n / 3, n));
        double bound = middle * factor + slack;
        if (last <= bound) return Optional.empty();
        return Optional.of(String.format("%s still grows: max of the last third %d > max of the middle third %d × %.2f + %.0f = %.0f",
                metric, last, middle, factor, slack, bound));
    }

    private static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElseThrow();
    }
}
