package dev.secretstore.bench;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import fr.acinq.secp256k1.Secp256k1;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Point arithmetic: ours (BouncyCastle underneath) against libsecp256k1 via JNI.
 *
 * <p>Each invocation takes the next of {@link BenchInputs#COUNT} precomputed seeded inputs.
 * libsecp256k1's JNI API is bytes in, bytes out, so its numbers include parsing and serializing
 * the 65-byte points (see {@code decode_*}). Ours works on decoded {@link PublicPoint}s, except where
 * noted: BouncyCastle caches the comb table of a point on the point object, so {@code kP_ours_ct}
 * decodes a fresh point every call (as ECDH on an incoming ephemeral key does) and
 * {@code kP_ours_ct_cachedTable} shows the same multiplication with the table already built.
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
        for (int j = 0; j < n; j++) {
            keyBytes[j] = BenchInputs.key(rnd);
            secrets[j] = SecretScalar.fromBytes(keyBytes[j]);
            publicScalars[j] = Scalar.fromBytes(keyBytes[j]);
            pointBytes[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            pointBytes2[j] = lib.pubkeyCreate(BenchInputs.key(rnd));
            points[j] = PublicPoint.fromUncompressed(pointBytes[j]);
            points2[j] = PublicPoint.fromUncompressed(pointBytes2[j]);
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
    public PublicPoint kP_ours_ct_cachedTable() {
        int j = next();
        return secrets[j].mul(points[j]);
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
