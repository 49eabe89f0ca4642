package dev.secretstore.bench;

import dev.secretstore.crypto.CurveBackend;
import dev.secretstore.crypto.CurveBackends;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.math.BigInteger;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Each operation of the {@link CurveBackend} interface with both backends, called on the backend object
 * directly (so the process-wide choice does not matter): {@code -p backend=java,native}. Inputs are
 * {@link BenchInputs#COUNT} seeded, already decoded points and scalars, taken in turn; the native numbers
 * include what the interface costs around the JNI call (encoding the 65-byte points, decoding and
 * validating the result as a {@link PublicPoint}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BackendBench {
    @Param({"java", "native"})
    public String backend;

    private CurveBackend b;
    private SecretScalar[] secrets;
    private Scalar[] as;
    private Scalar[] bs;
    private PublicPoint[] points;
    private PublicPoint[] points2;
    private RecoverableSignature[] sigs;
    private H256[] hashes;
    private int i;

    @Setup
    public void setup() {
        b = backend.equals("java") ? CurveBackends.java() : CurveBackends.nativeBackend();
        Random rnd = new Random(0xBAC0_BE7CL);
        int n = BenchInputs.COUNT;
        secrets = new SecretScalar[n];
        as = new Scalar[n];
        bs = new Scalar[n];
        points = new PublicPoint[n];
        points2 = new PublicPoint[n];
        sigs = new RecoverableSignature[n];
        hashes = new H256[n];
        for (int j = 0; j < n; j++) {
            secrets[j] = SecretScalar.random();
            as[j] = Scalar.of(new BigInteger(256, rnd));
            bs[j] = Scalar.of(new BigInteger(256, rnd));
            points[j] = SecretScalar.random().mulG();
            points2[j] = SecretScalar.random().mulG();
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            hashes[j] = H256.fromBytes(h);
            sigs[j] = Ecdsa.sign(SecretScalar.random(), hashes[j]);
        }
    }

    private int next() {
        return i = (i + 1) & (BenchInputs.COUNT - 1);
    }

    /** Secret k·G (constant time). */
    @Benchmark
    public PublicPoint kG() {
        return b.mulG(secrets[next()]);
    }

    /** Secret k·P, P not G (constant time; Java GLV in both backends). */
    @Benchmark
    public PublicPoint kP() {
        int j = next();
        return b.mul(secrets[j], points[j]);
    }

    /** Public a·P. */
    @Benchmark
    public PublicPoint aP() {
        int j = next();
        return b.mulPublic(as[j], points[j]);
    }

    /** Public a·G + b·Q (verification equations). */
    @Benchmark
    public PublicPoint aGbQ() {
        int j = next();
        return b.mulGAndMulPublic(as[j], bs[j], points[j]);
    }

    /** P + Q. */
    @Benchmark
    public PublicPoint add() {
        int j = next();
        return b.add(points[j], points2[j]);
    }

    /** ECDSA public-key recovery. */
    @Benchmark
    public PublicPoint recover() {
        int j = next();
        return b.recover(sigs[j], hashes[j]);
    }
}
