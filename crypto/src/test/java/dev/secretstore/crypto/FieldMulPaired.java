package dev.secretstore.crypto;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Paired CPU-time measurement of {@link Fp26} against {@link Fp52} multiplication and squaring (not a
 * test): the variants alternate in 200 ms slices in one JVM, each a dependent chain of 1000
 * operations on magnitude-1 values (latency), or 4 independent products per step (throughput), and the
 * median per-round ratio is reported.
 *
 * <pre>java -cp crypto/target/classes:crypto/target/test-classes:&lt;bcprov-jdk18on jar&gt; dev.secretstore.crypto.FieldMulPaired [rounds]</pre>
 *
 * {@link Fp26} is the old production field, kept in test scope for this comparison (docs/benchmarks.md).
 */
public final class FieldMulPaired {
    private FieldMulPaired() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Random rnd = new Random(1);
        long[] x26 = new long[10];
        long[] y26 = new long[10];
        for (int i = 0; i < 10; i++) {
            x26[i] = rnd.nextInt(1 << 26);
            y26[i] = rnd.nextInt(1 << 26);
        }
        long[] x52 = new long[5];
        long[] y52 = new long[5];
        for (int i = 0; i < 5; i++) {
            x52[i] = rnd.nextLong() & 0xFFFFFFFFFFFFFL;
            y52[i] = rnd.nextLong() & 0xFFFFFFFFFFFFFL;
        }
        long[][] z26 = new long[4][10];
        long[][] z52 = new long[4][5];
        Runnable[] ops = {
            () -> { for (int i = 0; i < 1000; i++) { Fp26.mul(x26, x26, y26); } },
            () -> { for (int i = 0; i < 1000; i++) { Fp52.mul(x52, x52, y52); } },
            () -> { for (int i = 0; i < 1000; i++) { Fp26.sqr(x26, x26); } },
            () -> { for (int i = 0; i < 1000; i++) { Fp52.sqr(x52, x52); } },
            () -> { for (int i = 0; i < 250; i++) { Fp26.mul(z26[0], x26, y26); Fp26.mul(z26[1], y26, x26); Fp26.mul(z26[2], x26, x26); Fp26.mul(z26[3], y26, y26); } },
            () -> { for (int i = 0; i < 250; i++) { Fp52.mul(z52[0], x52, y52); Fp52.mul(z52[1], y52, x52); Fp52.mul(z52[2], x52, x52); Fp52.mul(z52[3], y52, y52); } },
        };
        String[] names = {"Fp26.mul", "Fp52.mul", "Fp26.sqr", "Fp52.sqr", "Fp26.mul, 4 independent", "Fp52.mul, 4 independent"};
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[][] ns = new double[ops.length][rounds];
        for (int r = -5; r < rounds; r++) {
            for (int k = 0; k < ops.length; k++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                long count = 0;
                while (System.nanoTime() - wall0 < 200_000_000L) {
                    ops[k].run();
                    count += 1000;
                }
                if (r >= 0) {
                    ns[k][r] = (double) (mx.getCurrentThreadCpuTime() - cpu0) / count;
                }
            }
        }
        for (int k = 0; k < ops.length; k++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = ns[k & ~1][r] / ns[k][r];
            }
            System.out.printf(Locale.ROOT, "%-24s %6.1f ns/op (CPU, median)   speed-up vs Fp26 x%.2f (median of paired ratios)%n",
                    names[k], median(ns[k]), median(ratio));
        }
        System.out.println(x26[0] ^ x52[0] ^ z26[0][0] ^ z52[0][0]); // keep the chains alive
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
