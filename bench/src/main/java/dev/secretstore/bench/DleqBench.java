package dev.secretstore.bench;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Dleq;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.ProofContext;
import java.security.SecureRandom;
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

/**
 * Chaum–Pedersen DLEQ proofs (crypto.md §11.1) as attached to every decryption shadow. No
 * libsecp256k1 counterpart exists. Prove is one constant-time k·G (comb) and one constant-time k·B
 * (GLV) plus two Keccak-256 transcripts; verify is two public variable-time double multiplications
 * ({@code z·G + e·X} and {@code z·B + e·P}, {@code PointSum.addMulGAndMul}/{@code addMuls}). The points
 * are decoded from bytes every call (fresh objects, as received from a peer), so no per-point
 * precomputation is reused across calls.
 */
// "ours" is the pure-Java backend here (BackendBench compares the two backends); JMH -jvmArgsAppend overrides.
@Fork(jvmArgsAppend = "-Dsecretstore.crypto.backend=java")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DleqBench {
    private ProofContext[] contexts;
    private SecretScalar[] rhos;
    private byte[][] bs;
    private byte[][] xs;
    private byte[][] ps;
    private DleqProof[] proofs;
    private SecureRandom rng;
    private int i;

    @Setup
    public void setup() {
        Random rnd = new Random(0xBE7C_0004L);
        rng = new SecureRandom();
        int n = BenchInputs.COUNT;
        contexts = new ProofContext[n];
        rhos = new SecretScalar[n];
        bs = new byte[n][];
        xs = new byte[n][];
        ps = new byte[n][];
        proofs = new DleqProof[n];
        for (int j = 0; j < n; j++) {
            PublicPoint prover = SecretScalar.fromBytes(BenchInputs.key(rnd)).mulG();
            contexts[j] = new ProofContext(H256.fromBytes(BenchInputs.bytes(rnd, 32)), H256.fromBytes(BenchInputs.bytes(rnd, 32)),
                    H256.fromBytes(BenchInputs.bytes(rnd, 32)), prover);
            rhos[j] = SecretScalar.fromBytes(BenchInputs.key(rnd));
            PublicPoint b = SecretScalar.fromBytes(BenchInputs.key(rnd)).mulG();
            PublicPoint x = rhos[j].mulG();
            PublicPoint p = rhos[j].mul(b);
            bs[j] = b.toBytes();
            xs[j] = x.toBytes();
            ps[j] = p.toBytes();
            proofs[j] = Dleq.prove(Dleq.TAG_DECRYPT, contexts[j], b, x, p, rhos[j], rng);
            if (!Dleq.verify(Dleq.TAG_DECRYPT, contexts[j], b, x, p, proofs[j])) {
                throw new IllegalStateException("setup produced an invalid proof");
            }
        }
    }

    private int next() {
        return i = (i + 1) & BenchInputs.MASK;
    }

    @Benchmark
    public DleqProof prove_ours() {
        int j = next();
        return Dleq.prove(Dleq.TAG_DECRYPT, contexts[j], PublicPoint.fromBytes(bs[j]), PublicPoint.fromBytes(xs[j]),
                PublicPoint.fromBytes(ps[j]), rhos[j], rng);
    }

    @Benchmark
    public boolean verify_ours() {
        int j = next();
        return Dleq.verify(Dleq.TAG_DECRYPT, contexts[j], PublicPoint.fromBytes(bs[j]), PublicPoint.fromBytes(xs[j]),
                PublicPoint.fromBytes(ps[j]), proofs[j]);
    }
}
