package dev.secretstore.bench;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import fr.acinq.secp256k1.Secp256k1;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.bouncycastle.math.ec.ECPoint;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Point arithmetic: ours (BouncyCastle underneath) against libsecp256k1 via JNI.
 *
 * <p>Each invocation takes the next of {@link BenchInputs#COUNT} precomputed seeded inputs.
 * libsecp256k1's JNI API is bytes in, bytes out, so its numbers include parsing and serializing
 * the 65-byte points (see {@code decode_*}). Ours works on decoded {@link PublicPoint}s, except where
 * noted: an incoming point is a new object, so {@code kP_ours_ct} decodes a fresh point every call
 * (as ECDH on an incoming ephemeral key does). Since the constant-time GLV multiplier replaced
 * BouncyCastle's comb for points other than G, nothing is cached on a point object, and
 * {@code kP_ours_ct_reusedPoint} (the same point objects again and again) differs only by the decoding.
 *
 * <p>{@code kP_internal_*} call the package-private multipliers in {@code dev.secretstore.crypto.Secp256k1}
 * through a method handle, so that the previous path (the comb) and the new one (GLV) run in the same
 * JMH run on the same inputs: {@code kP_internal_comb_fresh} is the old production path on a fresh
 * point, {@code kP_internal_comb_cachedTable} the old path with its table already built on the point,
 * {@code kP_internal_glv} the new one. They return the BouncyCastle point without our validation and
 * encoding ({@code PublicPoint.of}).
 *
 * <p>{@code sumGQ_*}: {@code a·G + b·Q} for public scalars and a freshly decoded Q (the shape of ECDSA
 * recovery, DLEQ, Schnorr and ECDSA verification), as two separate variable-time multiplications
 * (the previous code) and as one interleaved double multiplication ({@code PointSum.addMulGAndMul}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CurveBench {
    private Secp256k1 lib;

    private byte[][] keyBytes;
    private SecretScalar[] secrets;
    private Scalar[] publicScalars;
    private byte[][] pointBytes;
    private byte[][] pointBytes2;
    private PublicPoint[] points;
    private PublicPoint[] points2;
    private Scalar[] publicScalars2;
    private int[][] secretLimbs;
    private ECPoint[] ecPoints;
    private MethodHandle comb;
    private MethodHandle glv;
    private int i;

    @Setup
    public void setup() {
        lib = Secp256k1.get();
        Random rnd = new Random(0xBE7C_0001L);
        int n = BenchInputs.COUNT;
        keyBytes = new byte[n][];
        secrets = new SecretScalar[n];
        publicScalars = new Scalar[n];
        pointBytes = new byte[n][];
        pointBytes2 = new byte[n][];
        points = new PublicPoint[n];
        points2 = new PublicPoint[n];
        publicScalars2 = new Scalar[n];
        secretLimbs = new int[n][];
        ecPoints = new ECPoint[n];
        for (int j = 0; j < n; j++) {
            keyBytes[j] = BenchInputs.key(rnd);
            secrets[j] = SecretScalar.fromBytes(keyBytes[j]);
            publicScalars[j] = Scalar.fromBytes(keyBytes[j]);
            pointBytes[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            pointBytes2[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            points[j] = PublicPoint.fromUncompressed(pointBytes[j]);
            points2[j] = PublicPoint.fromUncompressed(pointBytes2[j]);
            publicScalars2[j] = Scalar.fromBytes(BenchInputs.key(rnd));
            secretLimbs[j] = limbs(keyBytes[j]);
            ecPoints[j] = dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);
        }
        try {
            MethodHandles.Lookup internal = MethodHandles.privateLookupIn(dev.secretstore.crypto.Secp256k1.class, MethodHandles.lookup());
            MethodType type = MethodType.methodType(ECPoint.class, ECPoint.class, int[].class);
            comb = internal.findStatic(dev.secretstore.crypto.Secp256k1.class, "mulSecretComb", type);
            glv = internal.findStatic(dev.secretstore.crypto.Secp256k1.class, "mulSecretGlv", type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 32 big-endian bytes to eight little-endian 32-bit limbs (the form {@code SecretScalar} holds). */
    private static int[] limbs(byte[] be) {
        int[] z = new int[8];
        for (int k = 0; k < 32; k++) {
            z[k >>> 2] |= (be[31 - k] & 0xff) << ((k & 3) << 3);
        }
        return z;
    }

    private int next() {
        return i = (i + 1) & BenchInputs.MASK;
    }

    // ---- k·G, secret k ----

    @Benchmark
    public PublicPoint kG_ours_ct() {
        return secrets[next()].mulG();
    }

    @Benchmark
    public byte[] kG_libsecp256k1() {
        return lib.pubkeyCreate(keyBytes[next()]);
    }

    // ---- k·P, secret k, arbitrary P ----

    @Benchmark
    public PublicPoint kP_ours_ct() {
        int j = next();
        return secrets[j].mul(PublicPoint.fromUncompressed(pointBytes[j]));
    }

    @Benchmark
    public PublicPoint kP_ours_ct_reusedPoint() {
        int j = next();
        return secrets[j].mul(points[j]);
    }

    @Benchmark
    public ECPoint kP_internal_glv() throws Throwable {
        int j = next();
        return (ECPoint) glv.invokeExact(dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]), secretLimbs[j]);
    }

    @Benchmark
    public ECPoint kP_internal_comb_fresh() throws Throwable {
        int j = next();
        return (ECPoint) comb.invokeExact(dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]), secretLimbs[j]);
    }

    @Benchmark
    public ECPoint kP_internal_comb_cachedTable() throws Throwable {
        int j = next();
        return (ECPoint) comb.invokeExact(ecPoints[j], secretLimbs[j]);
    }

    @Benchmark
    public PublicPoint kP_ours_vartime() {
        int j = next();
        return PublicPoint.fromUncompressed(pointBytes[j]).mul(publicScalars[j]);
    }

    @Benchmark
    public byte[] kP_libsecp256k1() {
        int j = next();
        return lib.pubKeyTweakMul(pointBytes[j], keyBytes[j]);
    }

    // ---- a·G + b·Q, public scalars, fresh Q ----

    @Benchmark
    public PublicPoint sumGQ_separate() {
        int j = next();
        return new PointSum().addMulG(publicScalars[j]).addMul(publicScalars2[j], PublicPoint.fromUncompressed(pointBytes[j])).toPoint();
    }

    @Benchmark
    public PublicPoint sumGQ_interleaved() {
        int j = next();
        return new PointSum().addMulGAndMul(publicScalars[j], publicScalars2[j], PublicPoint.fromUncompressed(pointBytes[j])).toPoint();
    }

    // ---- P + Q ----

    @Benchmark
    public PublicPoint add_ours() {
        int j = next();
        return points[j].add(points2[j]);
    }

    @Benchmark
    public byte[] add_libsecp256k1() {
        int j = next();
        return lib.pubKeyCombine(new byte[][] {pointBytes[j], pointBytes2[j]});
    }

    // ---- decoding a 65-byte uncompressed point (validation included) ----

    @Benchmark
    public PublicPoint decode_ours() {
        return PublicPoint.fromUncompressed(pointBytes[next()]);
    }

    @Benchmark
    public void decode_libsecp256k1(Blackhole bh) {
        bh.consume(lib.pubkeyParse(pointBytes[next()]));
    }
}
