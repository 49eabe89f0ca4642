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
 * Differential test of our secp256k1 arithmetic, RFC 6979 ECDSA, recovery and ECDH against libsecp256k1 (bitcoin-core, via the
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
            case 7 -> bytes32(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE));
            case 8 -> bytes32(BigInteger.ONE.shiftLeft(129).add(BigInteger.ONE));
            case 9 -> bytes32(ConstantTimeGlvTest.LAMBDA); // the GLV endomorphism's eigenvalue
            case 10 -> bytes32(N.subtract(ConstantTimeGlvTest.LAMBDA));
            case 11 -> bytes32(ConstantTimeGlvTest.LAMBDA.multiply(ConstantTimeGlvTest.LAMBDA).mod(N));
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

    /** The fixed-base multiplier ({@link ConstantTimeComb}) directly, on its edge scalars (nibble runs, 2^i, n − small) and random ones. */
    @Test
    void constantTimeCombMatchesPubkeyCreate() {
        java.util.List<BigInteger> ks = new java.util.ArrayList<>(ConstantTimeCombTest.edgeScalars());
        Random rnd = new Random(0xD1FF_C0B1L);
        for (int i = 0; i < ROUNDS; i++) {
            ks.add(new BigInteger(1, randomKey(rnd)));
        }
        for (BigInteger k : ks) {
            byte[] kb = bytes32(k);
            long[][] xy = ConstantTimeComb.FOR_G.multiplyAffine(ModN.fromBytes(kb));
            byte[] ours = new byte[65];
            ours[0] = 0x04;
            System.arraycopy(Fp52.toBytes(xy[0]), 0, ours, 1, 32);
            System.arraycopy(Fp52.toBytes(xy[1]), 0, ours, 33, 32);
            assertThat(ours).as("k·G for k=%s", k.toString(16)).isEqualTo(lib.pubkeyCreate(kb));
            byte[] viaSecp = dev.secretstore.crypto.Secp256k1.mulSecret(dev.secretstore.crypto.Secp256k1.G, ModN.fromBytes(kb))
                    .getEncoded(false);
            assertThat(viaSecp).isEqualTo(ours);
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

    /**
     * The constant-time GLV multiplier against libsecp256k1 on the scalars that stress it (split halves
     * at their bounds, λ-combinations, powers of two, n − 1 …): against {@code secp256k1_ec_pubkey_tweak_mul}
     * (variable-time {@code ecmult}) and against {@code secp256k1_ecdh}, whose point multiplication is
     * libsecp256k1's constant-time {@code ecmult_const} (it returns SHA-256 of the compressed product).
     */
    @Test
    void secretMultiplicationOnEdgeScalarsMatchesTweakMulAndEcdh() throws Exception {
        Random rnd = new Random(0xD1FF_000AL);
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        for (BigInteger k : ConstantTimeGlvTest.edgeScalars()) {
            if (k.signum() == 0) {
                continue; // not a valid key for either library
            }
            for (int j = 0; j < 3; j++) {
                byte[] kb = bytes32(k);
                byte[] pBytes = j == 0 ? lib.pubkeyCreate(bytes32(BigInteger.ONE)) : lib.pubkeyCreate(randomKey(rnd));
                PublicPoint p = PublicPoint.fromUncompressed(pBytes);
                byte[] ours = SecretScalar.fromBytes(kb).mul(p).toUncompressed();
                assertThat(ours).as("k·P, k=%s", k.toString(16)).isEqualTo(lib.pubKeyTweakMul(pBytes, kb));
                byte[] compressed = new byte[33];
                compressed[0] = (byte) (2 + (ours[64] & 1));
                System.arraycopy(ours, 1, compressed, 1, 32);
                assertThat(sha256.digest(compressed)).as("ecdh, k=%s", k.toString(16)).isEqualTo(lib.ecdh(kb, pBytes));
            }
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

    // ---- raw recoverable ECDSA (crypto.md §4) ----

    /** Hashes at the edges (all zero, all 0xff ≥ n, n−1), then seeded random ones. */
    private static byte[] hash(Random rnd, int i) {
        return switch (i) {
            case 0 -> new byte[32];
            case 1 -> filled((byte) 0xff);
            case 2 -> bytes32(N.subtract(BigInteger.ONE));
            case 3 -> bytes32(N);
            default -> {
                byte[] h = new byte[32];
                rnd.nextBytes(h);
                yield h;
            }
        };
    }

    private static byte[] filled(byte b) {
        byte[] out = new byte[32];
        Arrays.fill(out, b);
        return out;
    }

    @Test
    void rfc6979SignaturesMatchLibsecp256k1ByteForByte() {
        Random rnd = new Random(0xD1FF_0005L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] k = key(rnd, i); // edge keys first, then random
            byte[] h = hash(rnd, i);
            RecoverableSignature ours = Ecdsa.sign(SecretScalar.fromBytes(k), H256.fromBytes(h));
            byte[] theirs = lib.sign(h, k); // compact r ‖ s, libsecp256k1 always normalizes to low s
            assertThat(Arrays.copyOf(ours.toBytes(), 64)).as("r‖s, round %d", i).isEqualTo(theirs);
            assertThat(ours.isLowS()).isTrue();
            assertThat(lib.signatureNormalize(theirs).getSecond()).as("libsecp256k1 output already low-s").isFalse();
            // libsecp256k1 recovers our public key with our recovery id
            assertThat(lib.ecdsaRecover(theirs, h, ours.v())).isEqualTo(lib.pubkeyCreate(k));
            assertThat(lib.verify(theirs, h, lib.pubkeyCreate(k))).isTrue();
        }
    }

    @Test
    void recoveryMatchesEcdsaRecover() {
        Random rnd = new Random(0xD1FF_0006L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] k = randomKey(rnd);
            byte[] h = hash(rnd, i);
            byte[] compact = lib.sign(h, k);
            byte[] expectedKey = lib.pubkeyCreate(k);
            int matches = 0;
            for (int v = 0; v < 2; v++) { // both parities: one gives the signer's key, the other a different one
                byte[] sig65 = Arrays.copyOf(compact, 65);
                sig65[64] = (byte) v;
                if (Arrays.equals(assertSameRecovery(sig65, h, "round " + i + " v=" + v), expectedKey)) {
                    matches++;
                }
            }
            assertThat(matches).as("exactly one recovery id gives the signer's key, round %d", i).isEqualTo(1);
        }
    }

    @Test
    void highSIsAcceptedOnRecoveryByBoth() {
        Random rnd = new Random(0xD1FF_0007L);
        for (int i = 0; i < 50; i++) {
            byte[] k = randomKey(rnd);
            byte[] h = hash(rnd, i + 4);
            RecoverableSignature low = Ecdsa.sign(SecretScalar.fromBytes(k), H256.fromBytes(h));
            byte[] high = low.toBytes();
            System.arraycopy(bytes32(N.subtract(low.s().toBigInteger())), 0, high, 32, 32);
            high[64] = (byte) (low.v() ^ 1);
            byte[] expected = lib.pubkeyCreate(k);
            assertThat(Ecdsa.recover(RecoverableSignature.fromBytes(high), H256.fromBytes(h)).toUncompressed()).isEqualTo(expected);
            assertThat(lib.ecdsaRecover(Arrays.copyOf(high, 64), h, high[64])).isEqualTo(expected);
        }
    }

    @Test
    void arbitrarySignaturesRecoverIdenticallyOrFailInBoth() {
        Random rnd = new Random(0xD1FF_0008L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] sig65 = new byte[65];
            if (i % 10 == 0) {
                // r small enough that r + n < p, so recovery ids 2 and 3 are meaningful
                System.arraycopy(bytes32(new BigInteger(100, rnd).add(BigInteger.ONE)), 0, sig65, 0, 32);
                sig65[64] = (byte) (2 + rnd.nextInt(2));
            } else {
                System.arraycopy(randomKey(rnd), 0, sig65, 0, 32);
                sig65[64] = (byte) rnd.nextInt(2);
            }
            System.arraycopy(randomKey(rnd), 0, sig65, 32, 32);
            assertSameRecovery(sig65, hash(rnd, i), "round " + i);
        }
    }

    /** Ours and libsecp256k1 either recover the same key or both reject the signature; returns the key or null. */
    private static byte[] assertSameRecovery(byte[] sig65, byte[] h, String what) {
        byte[] theirs;
        try {
            theirs = lib.ecdsaRecover(Arrays.copyOf(sig65, 64), h, sig65[64]);
        } catch (RuntimeException e) {
            theirs = null;
        }
        byte[] ours;
        try {
            ours = Ecdsa.recover(RecoverableSignature.fromBytes(sig65), H256.fromBytes(h)).toUncompressed();
        } catch (CryptoException e) {
            ours = null;
        }
        assertThat(ours).as("recover %s", what).isEqualTo(theirs);
        return ours;
    }

    // ---- ECDH (crypto.md §5): the raw x-coordinate of d·P ----

    @Test
    void ecdhIsTheXCoordinateOfTweakMul() {
        // libsecp256k1's own secp256k1_ecdh hashes the point (incompatible by design), so compare with the
        // x-coordinate of its plain d·P instead.
        Random rnd = new Random(0xD1FF_0009L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] d = randomKey(rnd);
            byte[] pBytes = lib.pubkeyCreate(randomKey(rnd));
            byte[] x = Arrays.copyOfRange(lib.pubKeyTweakMul(pBytes, d), 1, 33);
            assertThat(Ecdh.agree(SecretScalar.fromBytes(d), PublicPoint.fromUncompressed(pBytes))).as("round %d", i).isEqualTo(x);
        }
    }
}
