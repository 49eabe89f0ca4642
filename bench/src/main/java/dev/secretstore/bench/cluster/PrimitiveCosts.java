package dev.secretstore.bench.cluster;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.PedersenGenerator;
import fr.acinq.secp256k1.Secp256k1;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Prices of the {@link Primitive}s in microseconds of CPU time (the measuring thread's), measured at bench
 * start: libsecp256k1 through its JNI binding, this project's crypto layer, and BouncyCastle's multipliers
 * ({@link BouncyCastlePrimitives}). Inputs are
 * 256 seeded values used in turn; our points are decoded from bytes on every call where the price is for
 * a new point, since BouncyCastle caches per-point tables on the point object (as the JMH benchmarks do).
 * Before measuring, every one of our primitives runs for the warm-up time so that C2 has compiled
 * BouncyCastle's field arithmetic; libsecp256k1 is native and needs only a short warm-up. Each price is
 * the minimum over {@value #ROUNDS} interleaved slices.
 */
public final class PrimitiveCosts {
    private static final int COUNT = 256;

    /**
     * The three price lists, µs per call: libsecp256k1, this project's crypto layer, and BouncyCastle's own
     * multipliers (its constant-time comb for secret scalars, its GLV/wNAF for public ones), the
     * implementation a Java port would get without its own curve code.
     */
    public record Prices(Map<Primitive, Double> libsecp256k1, Map<Primitive, Double> ours, Map<Primitive, Double> bouncyCastle) {}

    private PrimitiveCosts() {}

    private static final class Inputs {
        final byte[][] keys = new byte[COUNT][];
        final SecretScalar[] secrets = new SecretScalar[COUNT];
        final Scalar[] scalars = new Scalar[COUNT];
        final Scalar[] scalars2 = new Scalar[COUNT];
        final byte[][] points = new byte[COUNT][];
        final PublicPoint[] cached = new PublicPoint[COUNT];
        final byte[][] hashes = new byte[COUNT][];
        final byte[][] compact = new byte[COUNT][];
        final int[] recid = new int[COUNT];
        final byte[][] signers = new byte[COUNT][];
        final RecoverableSignature[] sigs = new RecoverableSignature[COUNT];
        final H256[] h256 = new H256[COUNT];

        Inputs(Secp256k1 lib) {
            Random rnd = new Random(0x5EC2_E7B3_0C11L);
            for (int i = 0; i < COUNT; i++) {
                keys[i] = key(rnd);
                secrets[i] = SecretScalar.fromBytes(keys[i]);
                scalars[i] = Scalar.fromBytes(keys[i]);
                scalars2[i] = Scalar.fromBytes(key(rnd));
                points[i] = lib.pubkeyCreate(key(rnd));
                cached[i] = PublicPoint.fromUncompressed(points[i]);
                hashes[i] = key(rnd);
                h256[i] = H256.fromBytes(hashes[i]);
                SecretScalar d = SecretScalar.fromBytes(key(rnd));
                sigs[i] = Ecdsa.sign(d, h256[i]);
                byte[] rsv = sigs[i].toBytes();
                compact[i] = Arrays.copyOf(rsv, 64);
                recid[i] = rsv[64];
                signers[i] = d.mulG().toUncompressed();
                d.destroy();
            }
        }

        private static byte[] key(Random rnd) {
            byte[] k = new byte[32];
            do {
                rnd.nextBytes(k);
            } while (k[0] == 0 || (k[0] & 0xff) == 0xff); // comfortably inside [1, n)
            return k;
        }
    }

    /** Measures both price lists: {@code warmup} per one of our primitives, {@code each} per measurement. */
    public static Prices measure(Duration warmup, Duration each) {
        Secp256k1 lib = Secp256k1.get();
        Inputs in = new Inputs(lib);
        Map<Primitive, IntConsumer> libsecp = new EnumMap<>(Primitive.class);
        libsecp.put(Primitive.K_G, i -> sink(lib.pubkeyCreate(in.keys[i])));
        byte[] h = PedersenGenerator.H.toUncompressed();
        libsecp.put(Primitive.K_H, i -> sink(lib.ecdh(in.keys[i], h)));
        libsecp.put(Primitive.K_P, i -> sink(lib.ecdh(in.keys[i], in.points[i])));
        libsecp.put(Primitive.K_P_AGAIN, i -> sink(lib.ecdh(in.keys[i], in.points[i])));
        libsecp.put(Primitive.PUB_K_P, i -> sink(lib.pubKeyTweakMul(in.points[i], in.keys[i])));
        libsecp.put(Primitive.PUB_AG_BP, i -> {
            if (!lib.verify(in.compact[i], in.hashes[i], in.signers[i])) throw new IllegalStateException("libsecp256k1 verify failed");
        });
        libsecp.put(Primitive.RECOVER, i -> sink(lib.ecdsaRecover(in.compact[i], in.hashes[i], in.recid[i])));

        Map<Primitive, IntConsumer> ours = new EnumMap<>(Primitive.class);
        ours.put(Primitive.K_G, i -> sink(in.secrets[i].mulG()));
        ours.put(Primitive.K_H, i -> sink(in.secrets[i].mul(PedersenGenerator.H)));
        ours.put(Primitive.K_P, i -> sink(in.secrets[i].mul(PublicPoint.fromUncompressed(in.points[i]))));
        ours.put(Primitive.K_P_AGAIN, i -> sink(in.secrets[i].mul(in.cached[i])));
        ours.put(Primitive.PUB_K_P, i -> sink(PublicPoint.fromUncompressed(in.points[i]).mul(in.scalars[i])));
        ours.put(Primitive.PUB_AG_BP, i -> sink(new PointSum().addMulGAndMul(in.scalars2[i], in.scalars[i],
                PublicPoint.fromUncompressed(in.points[i])).toPoint()));
        ours.put(Primitive.RECOVER, i -> sink(Ecdsa.recover(in.sigs[i], in.h256[i])));

        Map<Primitive, IntConsumer> bc = BouncyCastlePrimitives.operations(in.keys, in.points, in.scalars, in.scalars2, in.compact,
                in.recid, in.hashes);

        for (IntConsumer op : ours.values()) run(op, warmup);
        for (IntConsumer op : bc.values()) run(op, warmup);
        for (IntConsumer op : libsecp.values()) run(op, Duration.ofMillis(100));
        Map<Primitive, Double> libPrices = new EnumMap<>(Primitive.class);
        Map<Primitive, Double> ourPrices = new EnumMap<>(Primitive.class);
        Map<Primitive, Double> bcPrices = new EnumMap<>(Primitive.class);
        Duration slice = each.dividedBy(ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            for (Primitive p : Primitive.values()) {
                libPrices.merge(p, run(libsecp.get(p), slice), Math::min);
                ourPrices.merge(p, run(ours.get(p), slice), Math::min);
                bcPrices.merge(p, run(bc.get(p), slice), Math::min);
            }
        }
        return new Prices(libPrices, ourPrices, bcPrices);
    }

    /**
     * Each price is the lowest of this many interleaved slices: other processes on a shared machine only ever
     * make a slice slower (cache and core contention show up in CPU time too), so the minimum is the steadiest
     * estimate of the primitive's own cost.
     */
    static final int ROUNDS = 5;

    private static volatile Object blackhole;

    static void sink(Object o) {
        blackhole = o;
    }

    /** Runs {@code op} over the inputs for about {@code time} of CPU; µs of thread CPU per call. */
    private static double run(IntConsumer op, Duration time) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long budget = time.toNanos();
        long start = threads.getCurrentThreadCpuTime();
        long calls = 0;
        long used;
        do {
            for (int i = 0; i < COUNT; i++) op.accept(i);
            calls += COUNT;
            used = threads.getCurrentThreadCpuTime() - start;
        } while (used < budget);
        return used / 1000.0 / calls;
    }
}
