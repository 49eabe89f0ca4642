package dev.secretstore.bench;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import fr.acinq.secp256k1.Secp256k1;
import java.util.Arrays;
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
 * Raw recoverable ECDSA (crypto.md §4): RFC 6979 sign and public-key recovery, ours against
 * libsecp256k1's {@code secp256k1_ecdsa_sign} and {@code secp256k1_ecdsa_recover}. Both sides take
 * bytes (ours parses the 65-byte signature inside the recover benchmark, as libsecp256k1 parses its
 * compact signature) and both produce low-s signatures; {@code LibSecp256k1DifferentialTest} checks
 * they are byte-identical.
 */
// "ours" is the pure-Java backend here (BackendBench compares the two backends); JMH -jvmArgsAppend overrides.
@Fork(jvmArgsAppend = "-Dsecretstore.crypto.backend=java")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EcdsaBench {
    private Secp256k1 lib;

    private byte[][] keyBytes;
    private SecretScalar[] secrets;
    private byte[][] hashBytes;
    private H256[] hashes;
    private byte[][] signatures; // 65 bytes r ‖ s ‖ v
    private byte[][] compact; // 64 bytes r ‖ s
    private int[] recoveryIds;
    private int i;

    @Setup
    public void setup() {
        lib = Secp256k1.get();
        Random rnd = new Random(0xBE7C_0002L);
        int n = BenchInputs.COUNT;
        keyBytes = new byte[n][];
        secrets = new SecretScalar[n];
        hashBytes = new byte[n][];
        hashes = new H256[n];
        signatures = new byte[n][];
        compact = new byte[n][];
        recoveryIds = new int[n];
        for (int j = 0; j < n; j++) {
            keyBytes[j] = BenchInputs.key(rnd);
            secrets[j] = SecretScalar.fromBytes(keyBytes[j]);
            hashBytes[j] = BenchInputs.bytes(rnd, 32);
            hashes[j] = H256.fromBytes(hashBytes[j]);
            RecoverableSignature sig = Ecdsa.sign(secrets[j], hashes[j]);
            signatures[j] = sig.toBytes();
            compact[j] = Arrays.copyOf(signatures[j], 64);
            recoveryIds[j] = sig.v();
        }
    }

    private int next() {
        return i = (i + 1) & BenchInputs.MASK;
    }

    @Benchmark
    public RecoverableSignature sign_ours() {
        int j = next();
        return Ecdsa.sign(secrets[j], hashes[j]);
    }

    @Benchmark
    public byte[] sign_libsecp256k1() {
        int j = next();
        return lib.sign(hashBytes[j], keyBytes[j]);
    }

    @Benchmark
    public PublicPoint recover_ours() {
        int j = next();
        return Ecdsa.recover(RecoverableSignature.fromBytes(signatures[j]), hashes[j]);
    }

    @Benchmark
    public byte[] recover_libsecp256k1() {
        int j = next();
        return lib.ecdsaRecover(compact[j], hashBytes[j], recoveryIds[j]);
    }
}
