package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test of our secp256k1 arithmetic against libsecp256k1 (bitcoin-core, via the
 * secp256k1-kmp JNI binding, test scope only). Inputs come from a seeded {@link Random}; every
 * result is compared byte for byte in the 65-byte uncompressed SEC1 form.
 *
 * <p>The native library must load: if it does not, {@link #loadNative()} fails the whole class
 * instead of skipping it.
 */
class LibSecp256k1DifferentialTest {
    private static final int ROUNDS = 300;
    private static final BigInteger N = dev.secretstore.crypto.Secp256k1.N;

    private static Secp256k1 lib;

    @BeforeAll
    static void loadNative() {
        lib = Secp256k1.get(); // throws (test error, not skip) if the JNI library cannot be loaded
        // Sanity: 1·G is the generator.
        assertThat(lib.pubkeyCreate(bytes32(BigInteger.ONE))).isEqualTo(PublicPoint.generator().toUncompressed());
    }

    /** A uniformly random key scalar 1 ≤ k < n from the seeded generator (rejection sampling). */
    private static byte[] randomKey(Random rnd) {
        byte[] b = new byte[32];
        while (true) {
            rnd.nextBytes(b);
            BigInteger v = new BigInteger(1, b);
            if (v.signum() != 0 && v.compareTo(N) < 0) {
                return b;
            }
        }
    }

    private static byte[] bytes32(BigInteger v) {
        return Scalar.toBytes32(v);
    }

    /** Scalars at the edges of the range, followed by seeded random ones. */
    private static byte[] key(Random rnd, int i) {
        return switch (i) {
            case 0 -> bytes32(BigInteger.ONE);
            case 1 -> bytes32(BigInteger.TWO);
            case 2 -> bytes32(N.subtract(BigInteger.ONE));
            case 3 -> bytes32(N.subtract(BigInteger.TWO));
            case 4 -> bytes32(dev.secretstore.crypto.Secp256k1.HALF_N);
            case 5 -> bytes32(dev.secretstore.crypto.Secp256k1.HALF_N.add(BigInteger.ONE));
            case 6 -> bytes32(BigInteger.ONE.shiftLeft(128));
            default -> randomKey(rnd);
        };
    }

    @Test
    void fixedBaseMultiplicationMatchesPubkeyCreate() {
        Random rnd = new Random(0xD1FF_0001L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] k = key(rnd, i);
            byte[] ours = SecretScalar.fromBytes(k).mulG().toUncompressed();
            assertThat(ours).as("k·G for k=%s", new BigInteger(1, k).toString(16)).isEqualTo(lib.pubkeyCreate(k));
        }
    }

    @Test
    void variableBaseMultiplicationMatchesPubKeyTweakMul() {
        Random rnd = new Random(0xD1FF_0002L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] k = key(rnd, i);
            byte[] pBytes = lib.pubkeyCreate(randomKey(rnd));
            PublicPoint p = PublicPoint.fromUncompressed(pBytes);
            byte[] expected = lib.pubKeyTweakMul(pBytes, k);

            byte[] constantTime = SecretScalar.fromBytes(k).mul(p).toUncompressed();
            assertThat(constantTime).as("secret k·P, round %d", i).isEqualTo(expected);

            byte[] variableTime = p.mul(Scalar.fromBytes(k)).toUncompressed();
            assertThat(variableTime).as("public k·P, round %d", i).isEqualTo(expected);
        }
    }

    @Test
    void pointAdditionMatchesPubKeyCombine() {
        Random rnd = new Random(0xD1FF_0003L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] pBytes = lib.pubkeyCreate(randomKey(rnd));
            // every tenth round adds a point to itself (the doubling branch of the addition formula)
            byte[] qBytes = i % 10 == 0 ? pBytes.clone() : lib.pubkeyCreate(randomKey(rnd));
            byte[] ours = PublicPoint.fromUncompressed(pBytes).add(PublicPoint.fromUncompressed(qBytes)).toUncompressed();
            assertThat(ours).as("P+Q, round %d", i).isEqualTo(lib.pubKeyCombine(new byte[][] {pBytes, qBytes}));
        }
    }

    @Test
    void bothRejectPPlusMinusP() {
        byte[] pBytes = lib.pubkeyCreate(randomKey(new Random(0xD1FF_0004L)));
        PublicPoint p = PublicPoint.fromUncompressed(pBytes);
        byte[] negBytes = lib.pubKeyNegate(pBytes);
        assertThat(p.negate().toUncompressed()).isEqualTo(negBytes);
        assertThatThrownBy(() -> p.add(PublicPoint.fromUncompressed(negBytes)))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> lib.pubKeyCombine(new byte[][] {pBytes, negBytes}))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void bothRejectOutOfRangeKeys() {
        for (BigInteger bad : new BigInteger[] {BigInteger.ZERO, N, N.add(BigInteger.ONE)}) {
            byte[] b = Arrays.copyOf(bytes32(bad.mod(BigInteger.ONE.shiftLeft(256))), 32);
            assertThat(lib.secKeyVerify(b)).as("libsecp256k1 accepts %s", bad).isFalse();
            assertThatThrownBy(() -> SecretScalar.fromBytes(b)).isInstanceOf(CryptoException.class);
        }
    }
}
