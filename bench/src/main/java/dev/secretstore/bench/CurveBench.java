package dev.secretstore.bench;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
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
 * <p>{@code kG_ours_ct} is {@code SecretScalar.mulG()}, since the fixed-base change our own
 * constant-time multiplier ({@code ConstantTimeComb}); {@code kG_bc_comb} is the previous path,
 * BouncyCastle's comb for G, called directly.
 *
 * <p>{@code kP_comb_*} run the previous production path for a secret k (BouncyCastle's
 * {@code FixedPointCombMultiplier}, called directly) in the same JMH run as the new one, on the same
 * inputs: {@code kP_comb_fresh} on a freshly decoded point (table built every call),
 * {@code kP_comb_cachedTable} with the table already cached on the point object. They return the
 * BouncyCastle point without our validation and encoding ({@code PublicPoint.of}, about 1–2 µs), so
 * they slightly flatter the comb. {@code kP_bc_vartime} is the previous public-k path, BouncyCastle's
 * default multiplier, likewise called directly.
 *
 * <p>{@code sumGQ_*}: {@code a·G + b·Q} for public scalars and a freshly decoded Q (the shape of ECDSA
 * recovery, DLEQ, Schnorr and ECDSA verification): {@code sumGQ_bc_separate} is the previous code
 * (two BouncyCastle multiplications, then an addition), {@code sumGQ_bc_interleaved} BouncyCastle's
 * {@code ECAlgorithms.sumOfTwoMultiplies}, {@code sumGQ_ours} the production path
 * ({@code PointSum.addMulGAndMul}, our Strauss/GLV with static G tables).
 */
// "ours" is the pure-Java backend here (BackendBench compares the two backends); JMH -jvmArgsAppend overrides.
@Fork(jvmArgsAppend = "-Dsecretstore.crypto.backend=java")
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
    private BigInteger[] scalarValues;
    private BigInteger[] scalarValues2;
    private ECPoint[] ecPoints;
    private FixedPointCombMultiplier comb;
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
        scalarValues = new BigInteger[n];
        scalarValues2 = new BigInteger[n];
        ecPoints = new ECPoint[n];
        comb = new FixedPointCombMultiplier();
        for (int j = 0; j < n; j++) {
            keyBytes[j] = BenchInputs.key(rnd);
            secrets[j] = SecretScalar.fromBytes(keyBytes[j]);
            publicScalars[j] = Scalar.fromBytes(keyBytes[j]);
            pointBytes[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            pointBytes2[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            points[j] = PublicPoint.fromUncompressed(pointBytes[j]);
            points2[j] = PublicPoint.fromUncompressed(pointBytes2[j]);
            publicScalars2[j] = Scalar.fromBytes(BenchInputs.key(rnd));
            scalarValues[j] = new BigInteger(1, keyBytes[j]);
            scalarValues2[j] = publicScalars2[j].toBigInteger();
            ecPoints[j] = dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);
        }
    }

    private int next() {
        return i = (i + 1) & BenchInputs.MASK;
    }

    // ---- k·G, secret k ----

    @Benchmark
    public PublicPoint kG_ours_ct() {
        return secrets[next()].mulG();
    }

    /**
     * The previous k·G path (BouncyCastle's {@code FixedPointCombMultiplier}, table for G cached after
     * the first call), called directly on the same inputs; it returns the BouncyCastle point without
     * our encoding ({@code PublicPoint}), so it slightly flatters the comb.
     */
    @Benchmark
    public ECPoint kG_bc_comb() {
        int j = next();
        return comb.multiply(dev.secretstore.crypto.Secp256k1.G, scalarValues[j]).normalize();
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
    public ECPoint kP_comb_fresh() {
        int j = next();
        return comb.multiply(dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]), scalarValues[j]).normalize();
    }

    @Benchmark
    public ECPoint kP_comb_cachedTable() {
        int j = next();
        return comb.multiply(ecPoints[j], scalarValues[j]).normalize();
    }

    @Benchmark
    public PublicPoint kP_ours_vartime() {
        int j = next();
        return PublicPoint.fromUncompressed(pointBytes[j]).mul(publicScalars[j]);
    }

    @Benchmark
    public ECPoint kP_bc_vartime() {
        int j = next();
        return dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]).multiply(scalarValues[j]).normalize();
    }

    @Benchmark
    public byte[] kP_libsecp256k1() {
        int j = next();
        return lib.pubKeyTweakMul(pointBytes[j], keyBytes[j]);
    }

    // ---- a·G + b·Q, public scalars, fresh Q ----

    @Benchmark
    public ECPoint sumGQ_bc_separate() {
        int j = next();
        ECPoint q = dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);
        return dev.secretstore.crypto.Secp256k1.G.multiply(scalarValues[j]).add(q.multiply(scalarValues2[j])).normalize();
    }

    @Benchmark
    public ECPoint sumGQ_bc_interleaved() {
        int j = next();
        ECPoint q = dev.secretstore.crypto.Secp256k1.CURVE.decodePoint(pointBytes[j]);
        return ECAlgorithms.sumOfTwoMultiplies(dev.secretstore.crypto.Secp256k1.G, scalarValues[j], q, scalarValues2[j]).normalize();
    }

    @Benchmark
    public PublicPoint sumGQ_ours() {
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
