package dev.secretstore.bench;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
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
 * Parity ECIES (crypto.md §6) with a 64-byte plaintext (the size of a document key or a Schnorr
 * {@code c‖s}) through the client entry points ({@code authData = 00 00}). libsecp256k1 has no ECIES, so there is no counterpart
 * here; the cost is dominated by one k·G and one k·P, compare {@link CurveBench}.
 *
 * <p>Encryption uses the production entry point, so the ephemeral key and IV come from the system
 * CSPRNG as in the node. The recipient is decoded from bytes every call: a fresh point object, as
 * for a request's public key, so BouncyCastle's per-point comb table is not reused across calls.
 */
// "ours" is the pure-Java backend here (BackendBench compares the two backends); JMH -jvmArgsAppend overrides.
@Fork(jvmArgsAppend = "-Dsecretstore.crypto.backend=java")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EciesBench {
    private static final int PLAINTEXT_BYTES = 64;

    private SecretScalar[] secrets;
    private byte[][] recipients; // 64 bytes X ‖ Y
    private byte[][] plaintexts;
    private byte[][] blobs;
    private int i;

    @Setup
    public void setup() {
        Random rnd = new Random(0xBE7C_0003L);
        int n = BenchInputs.COUNT;
        secrets = new SecretScalar[n];
        recipients = new byte[n][];
        plaintexts = new byte[n][];
        blobs = new byte[n][];
        for (int j = 0; j < n; j++) {
            secrets[j] = SecretScalar.fromBytes(BenchInputs.key(rnd));
            PublicPoint recipient = secrets[j].mulG();
            recipients[j] = recipient.toBytes();
            plaintexts[j] = BenchInputs.bytes(rnd, PLAINTEXT_BYTES);
            blobs[j] = Ecies.encryptToClient(recipient, plaintexts[j]);
        }
    }

    private int next() {
        return i = (i + 1) & BenchInputs.MASK;
    }

    @Benchmark
    public byte[] encrypt64_ours() {
        int j = next();
        return Ecies.encryptToClient(PublicPoint.fromBytes(recipients[j]), plaintexts[j]);
    }

    @Benchmark
    public byte[] decrypt64_ours() {
        int j = next();
        return Ecies.decryptFromServer(secrets[j], blobs[j]);
    }
}
