package dev.secretstore.bench;

import dev.secretstore.crypto.CurveBackend;
import dev.secretstore.crypto.CurveBackends;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * A paired, CPU-time companion to {@link CurveBench} for a shared, busy machine (not JMH).
 *
 * <p>JMH runs each benchmark in its own fork, one after the other, and measures wall-clock time, so on
 * a 2-core box that other builds load to 5–15 two benchmarks can see very different machines and their
 * ratio is noise. This runs the variants of one operation in the same JVM, alternating in short slices
 * (about 200 ms each, every variant once per round), and counts the thread's CPU time
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()}), which does not grow while the thread waits for a
 * core. It reports, per variant, the median µs/op over the measured rounds and, against the first
 * variant of each group, the median of the per-round ratios. CPU time still includes the slowdown from
 * a busy sibling hyperthread and shared caches, so absolute values run high; the paired ratios are
 * the robust part.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.secretstore.bench.PairedMulBench [rounds [title-substring]]</pre>
 *
 * With a second argument only the groups whose title contains it run (e.g. {@code "k·G, secret"}; {@code "backend:"}
 * for the java-against-native groups of the {@code CurveBackend} operations). The groups outside those use the
 * process's backend: run them with {@code -Dsecretstore.crypto.backend=java} for the Java numbers.
 *
 * The inputs are the seeded ones {@link CurveBench} uses; points are decoded from bytes on every call
 * (fresh objects) unless the name says otherwise.
 */
public final class PairedMulBench {
    private static final int WARMUP_ROUNDS = 8;
    private static final long SLICE_NANOS = 200_000_000L;

    private record Variant(String name, IntFunction<Object> op) {}

    private PairedMulBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 25;
        only = args.length > 1 ? args[1] : "";
        fr.acinq.secp256k1.Secp256k1 lib = fr.acinq.secp256k1.Secp256k1.get();
        byte[][] keyBytes = new byte[BenchInputs.COUNT][];
        Random rnd = new Random(0xBE7C_0001L);
        int n = BenchInputs.COUNT;
        byte[][] pointBytes = new byte[n][];
        SecretScalar[] secrets = new SecretScalar[n];
        Scalar[] a = new Scalar[n];
        Scalar[] b = new Scalar[n];
        BigInteger[] ab = new BigInteger[n];
        BigInteger[] bb = new BigInteger[n];
        ECPoint[] cachedCombPoints = new ECPoint[n];
        PublicPoint[] reused = new PublicPoint[n];
        for (int j = 0; j < n; j++) {
            byte[] k = BenchInputs.key(rnd);
            keyBytes[j] = k;
            secrets[j] = SecretScalar.fromBytes(k);
            a[j] = Scalar.fromBytes(k);
            b[j] = Scalar.fromBytes(BenchInputs.key(rnd));
            ab[j] = a[j].toBigInteger();
            bb[j] = b[j].toBigInteger();
            reused[j] = SecretScalar.fromBytes(BenchInputs.key(rnd)).mulG();
            pointBytes[j] = reused[j].toUncompressed();
            cachedCombPoints[j] = dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);
        }
        FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
        ECPoint g = dev.secretstore.crypto.Secp256k1.G;
        IntFunction<ECPoint> fresh = j -> dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);

        System.out.printf(Locale.ROOT, "PairedMulBench: %d rounds (+%d warmup), %d ms slices, load average at start: %s%n", rounds,
                WARMUP_ROUNDS, SLICE_NANOS / 1_000_000, loadAverage());
        run("k·G, secret k", rounds, List.of(
                new Variant("BouncyCastle comb, table for G cached (previous path)", j -> comb.multiply(g, ab[j]).normalize()),
                new Variant("ours (SecretScalar.mulG, ConstantTimeComb)", j -> secrets[j].mulG()),
                new Variant("libsecp256k1 pubkeyCreate (JNI, bytes)", j -> lib.pubkeyCreate(keyBytes[j]))));
        run("k·P, secret k", rounds, List.of(
                new Variant("comb, fresh P (previous path)", j -> comb.multiply(fresh.apply(j), ab[j]).normalize()),
                new Variant("comb, table cached on P", j -> comb.multiply(cachedCombPoints[j], ab[j]).normalize()),
                new Variant("GLV (SecretScalar.mul), fresh P", j -> secrets[j].mul(PublicPoint.fromUncompressed(pointBytes[j]))),
                new Variant("GLV (SecretScalar.mul), reused P", j -> secrets[j].mul(reused[j]))));
        run("k·P, public k", rounds, List.of(
                new Variant("BouncyCastle, fresh P (previous path)", j -> fresh.apply(j).multiply(bb[j]).normalize()),
                new Variant("ours (PublicPoint.mul), fresh P", j -> PublicPoint.fromUncompressed(pointBytes[j]).mul(b[j]))));
        run("k·G, public k", rounds, List.of(
                new Variant("BouncyCastle (previous path)", j -> g.multiply(bb[j]).normalize()),
                new Variant("ours (PublicPoint.mul)", j -> PublicPoint.generator().mul(b[j]))));
        run("a·G + b·Q, public, fresh Q", rounds, List.of(
                new Variant("BouncyCastle, separate (previous path)", j -> g.multiply(ab[j]).add(fresh.apply(j).multiply(bb[j])).normalize()),
                new Variant("BouncyCastle sumOfTwoMultiplies", j -> ECAlgorithms.sumOfTwoMultiplies(g, ab[j], fresh.apply(j), bb[j]).normalize()),
                new Variant("ours (PointSum.addMulGAndMul)", j -> new PointSum().addMulGAndMul(a[j], b[j], PublicPoint.fromUncompressed(pointBytes[j])).toPoint())));
        runBackends(rounds, a, b, pointBytes, reused, keyBytes, rnd);
        System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    }

    /**
     * Each {@link CurveBackend} operation with the java and the native backend (called on the backend objects, so the
     * process's choice does not matter); the points are decoded from bytes on every call, as for points from messages.
     */
    private static void runBackends(int rounds, Scalar[] a, Scalar[] b, byte[][] pointBytes, PublicPoint[] reused, byte[][] keyBytes, Random rnd) {
        int n = BenchInputs.COUNT;
        SecretScalar[] secrets = new SecretScalar[n];
        RecoverableSignature[] sigs = new RecoverableSignature[n];
        H256[] hashes = new H256[n];
        for (int j = 0; j < n; j++) {
            secrets[j] = SecretScalar.fromBytes(keyBytes[j]);
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            hashes[j] = H256.fromBytes(h);
            sigs[j] = Ecdsa.sign(SecretScalar.fromBytes(BenchInputs.key(rnd)), hashes[j]);
        }
        IntFunction<PublicPoint> fresh = j -> PublicPoint.fromUncompressed(pointBytes[j]);
        for (Map.Entry<String, Function<CurveBackend, IntFunction<Object>>> op : List.<Map.Entry<String, Function<CurveBackend, IntFunction<Object>>>>of(
                Map.entry("backend: k·G, secret k", c -> j -> c.mulG(secrets[j])),
                Map.entry("backend: k·P, secret k, fresh P", c -> j -> c.mul(secrets[j], fresh.apply(j))),
                Map.entry("backend: a·P, public a, fresh P", c -> j -> c.mulPublic(a[j], fresh.apply(j))),
                Map.entry("backend: a·G + b·Q, public, fresh Q", c -> j -> c.mulGAndMulPublic(a[j], b[j], fresh.apply(j))),
                Map.entry("backend: P + Q", c -> j -> c.add(reused[j], reused[(j + 1) & BenchInputs.MASK])),
                Map.entry("backend: ECDSA recovery", c -> j -> c.recover(sigs[j], hashes[j])))) {
            run(op.getKey(), rounds, List.of(
                    new Variant("java", op.getValue().apply(CurveBackends.java())),
                    new Variant("native", op.getValue().apply(CurveBackends.nativeBackend()))));
        }
    }

    private static String only = "";

    private static void run(String title, int rounds, List<Variant> variants) {
        if (!title.contains(only)) {
            return;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int v = variants.size();
        double[][] perOp = new double[v][rounds];
        int index = 0;
        Object sink = null;
        for (int r = -WARMUP_ROUNDS; r < rounds; r++) {
            for (int k = 0; k < v; k++) {
                IntFunction<Object> op = variants.get(k).op();
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                int count = 0;
                while (System.nanoTime() - wall0 < SLICE_NANOS) {
                    sink = op.apply(index);
                    index = (index + 1) & BenchInputs.MASK;
                    count++;
                }
                if (r >= 0) {
                    perOp[k][r] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / count;
                }
            }
        }
        if (sink == null) {
            throw new IllegalStateException();
        }
        System.out.printf(Locale.ROOT, "%n%s%n", title);
        for (int k = 0; k < v; k++) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = perOp[k][r] / perOp[0][r];
            }
            System.out.printf(Locale.ROOT, "  %-54s %8.1f µs/op (CPU, median)   ×%.2f of the first (median of paired ratios)%n",
                    variants.get(k).name(), median(perOp[k]), median(ratios));
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
