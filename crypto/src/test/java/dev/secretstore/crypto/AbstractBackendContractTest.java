package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.threshold.PedersenGenerator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CurveBackend} satisfies (the model: Teku's BLS module, one abstract suite that
 * each implementation's test class runs). The oracle is BouncyCastle's own point arithmetic
 * ({@link Secp256k1#mulPublicBc}, {@link ECPoint#add}), which neither backend uses for these operations, so a
 * backend that agrees with it agrees with the other backend byte for byte. Failures must carry the same
 * {@link CryptoException.Reason} in both (SEC-01 validated results, SEC-06 secret paths, SEC-07 destroyed
 * secrets).
 */
abstract class AbstractBackendContractTest {
    private static final BigInteger N = Secp256k1.N;

    /** The backend under test. */
    abstract CurveBackend backend();

    private static PublicPoint oracleMul(BigInteger k, PublicPoint p) {
        return PublicPoint.of(Secp256k1.mulPublicBc(p.ecPoint(), k));
    }

    private static PublicPoint oracleMulG(BigInteger k) {
        return oracleMul(k, PublicPoint.generator());
    }

    private static BigInteger randomScalar(Random rnd) {
        while (true) {
            BigInteger v = new BigInteger(256, rnd);
            if (v.signum() != 0 && v.compareTo(N) < 0) {
                return v;
            }
        }
    }

    private static SecretScalar secret(BigInteger k) {
        return SecretScalar.fromBytes(Scalar.toBytes32(k));
    }

    /** Edge scalars (1, 2, n − 1, n − 2, ⌊n/2⌋, 2^128 ± 1, the GLV eigenvalue) and seeded random ones. */
    private static List<BigInteger> scalars(long seed, int random) {
        List<BigInteger> out = new ArrayList<>(List.of(BigInteger.ONE, BigInteger.TWO, N.subtract(BigInteger.ONE), N.subtract(BigInteger.TWO),
                Secp256k1.HALF_N, BigInteger.ONE.shiftLeft(128), BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(128).add(BigInteger.ONE), ConstantTimeGlvTest.LAMBDA));
        Random rnd = new Random(seed);
        for (int i = 0; i < random; i++) {
            out.add(randomScalar(rnd));
        }
        return out;
    }

    /** A valid point whose X is ≥ n (so ECDSA-style recovery needs recovery id 2 or 3 to reach it). */
    static PublicPoint pointWithXAboveN() {
        for (BigInteger x = N; ; x = x.add(BigInteger.ONE)) {
            byte[] compressed = new byte[33];
            compressed[0] = 0x02;
            System.arraycopy(Scalar.toBytes32(x), 0, compressed, 1, 32);
            try {
                return PublicPoint.of(Secp256k1.CURVE.decodePoint(compressed));
            } catch (IllegalArgumentException notOnCurve) {
                // X³ + 7 is not a square: next X
            }
        }
    }

    // ---- secret k·G (SEC-06) ----

    @Test
    void mulGMatchesTheOracle() {
        for (BigInteger k : scalars(0xBAC0_0001L, 40)) {
            assertThat(backend().mulG(secret(k))).as("k = %s", k.toString(16)).isEqualTo(oracleMulG(k));
        }
    }

    @Test
    void mulGOfZeroIsZeroResult() {
        SecretScalar zero = SecretScalar.fromBytesAllowZero(new byte[32]);
        assertThatThrownBy(() -> backend().mulG(zero)).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
    }

    @Test
    void destroyedSecretIsRefused() { // SEC-07
        SecretScalar k = secret(BigInteger.TEN);
        k.destroy();
        assertThatThrownBy(() -> backend().mulG(k)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> backend().mul(k, PublicPoint.generator())).isInstanceOf(IllegalStateException.class);
    }

    // ---- secret k·P (SEC-06) ----

    @Test
    void secretMulMatchesTheOracle() {
        Random rnd = new Random(0xBAC0_0002L);
        for (BigInteger k : scalars(0xBAC0_0003L, 20)) {
            PublicPoint p = oracleMulG(randomScalar(rnd));
            assertThat(backend().mul(secret(k), p)).as("k = %s", k.toString(16)).isEqualTo(oracleMul(k, p));
        }
    }

    @Test
    void secretMulOfAFixedBaseTablePointMatchesTheOracle() {
        PublicPoint h = PedersenGenerator.H;
        for (BigInteger k : scalars(0xBAC0_0004L, 10)) {
            assertThat(backend().mul(secret(k), h)).isEqualTo(oracleMul(k, h));
        }
    }

    @Test
    void secretMulOfZeroIsZeroResult() {
        SecretScalar zero = SecretScalar.fromBytesAllowZero(new byte[32]);
        assertThatThrownBy(() -> backend().mul(zero, oracleMulG(BigInteger.valueOf(7)))).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
    }

    // ---- public a·P ----

    @Test
    void publicMulMatchesTheOracle() {
        Random rnd = new Random(0xBAC0_0005L);
        for (BigInteger a : scalars(0xBAC0_0006L, 20)) {
            PublicPoint p = oracleMulG(randomScalar(rnd));
            assertThat(backend().mulPublic(Scalar.of(a), p)).isEqualTo(oracleMul(a, p));
        }
        PublicPoint p = oracleMulG(BigInteger.valueOf(12345));
        assertThat(backend().mulPublic(Scalar.of(N.subtract(BigInteger.ONE)), p)).isEqualTo(p.negate());
    }

    @Test
    void publicMulOfZeroIsZeroResult() {
        assertThatThrownBy(() -> backend().mulPublic(Scalar.ZERO, PublicPoint.generator())).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
    }

    // ---- public a·G + b·Q ----

    private PublicPoint oracleLinear(BigInteger a, BigInteger b, PublicPoint q) {
        ECPoint sum = Secp256k1.mulPublicBc(Secp256k1.G, a).add(Secp256k1.mulPublicBc(q.ecPoint(), b));
        return sum.isInfinity() ? null : PublicPoint.of(sum);
    }

    @Test
    void mulGAndMulMatchesTheOracle() {
        Random rnd = new Random(0xBAC0_0007L);
        List<PublicPoint> points = new ArrayList<>(List.of(PublicPoint.generator(), PublicPoint.generator().negate(), pointWithXAboveN(),
                pointWithXAboveN().negate(), PedersenGenerator.H));
        for (int i = 0; i < 20; i++) {
            points.add(oracleMulG(randomScalar(rnd)));
        }
        for (PublicPoint q : points) {
            for (int j = 0; j < 3; j++) {
                BigInteger a = randomScalar(rnd);
                BigInteger b = randomScalar(rnd);
                assertThat(backend().mulGAndMulPublic(Scalar.of(a), Scalar.of(b), q)).as("Q = %s", q).isEqualTo(oracleLinear(a, b, q));
            }
        }
    }

    @Test
    void mulGAndMulWithAZeroScalar() {
        PublicPoint q = oracleMulG(BigInteger.valueOf(987654321));
        Scalar a = Scalar.of(BigInteger.valueOf(42));
        assertThat(backend().mulGAndMulPublic(Scalar.ZERO, a, q)).isEqualTo(oracleMul(BigInteger.valueOf(42), q));
        assertThat(backend().mulGAndMulPublic(a, Scalar.ZERO, q)).isEqualTo(oracleMulG(BigInteger.valueOf(42)));
        assertThat(backend().mulGAndMulPublic(Scalar.ZERO, Scalar.ZERO, q)).isNull();
    }

    @Test
    void mulGAndMulReachingInfinityIsNull() { // a hostile verification input must not crash or fake a point
        BigInteger k = BigInteger.valueOf(0xC0FFEE);
        PublicPoint q = oracleMulG(k); // a·G + b·Q = (a + b·k)·G = ∞ for a = −b·k
        BigInteger b = BigInteger.valueOf(3);
        assertThat(backend().mulGAndMulPublic(Scalar.of(b.multiply(k).negate()), Scalar.of(b), q)).isNull();
        assertThat(backend().mulGAndMulPublic(Scalar.of(N.subtract(BigInteger.ONE)), Scalar.ONE, PublicPoint.generator())).isNull();
    }

    // ---- P + Q ----

    @Test
    void addMatchesTheOracle() {
        Random rnd = new Random(0xBAC0_0008L);
        for (int i = 0; i < 30; i++) {
            PublicPoint p = oracleMulG(randomScalar(rnd));
            PublicPoint q = oracleMulG(randomScalar(rnd));
            assertThat(backend().add(p, q)).isEqualTo(PublicPoint.of(p.ecPoint().add(q.ecPoint())));
        }
        PublicPoint p = oracleMulG(BigInteger.valueOf(5));
        assertThat(backend().add(p, p)).isEqualTo(oracleMulG(BigInteger.TEN)); // doubling
    }

    @Test
    void addOfOppositePointsIsZeroResult() {
        PublicPoint p = oracleMulG(BigInteger.valueOf(77));
        assertThatThrownBy(() -> backend().add(p, p.negate())).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
    }

    // ---- ECDSA recovery ----

    @Test
    void recoverMatchesVectorA2() { // crypto.md test vector A.2: the all-zero hash signs and recovers (SEC-23)
        RecoverableSignature sig = RecoverableSignature.fromHex(
                "de12681e0b8f7a428f12a6694a5f7e1324deef3d627744d95d51b862afc13799251831b3611ae436c452b54cdf5c4e78b361a396ae183e8b4c34519e895e623c00");
        H256 zero = H256.fromBytes(new byte[32]);
        KeyPair rpc = KeyPair.fromSecretBytes(Hex.decode(EcdsaTest.RPC_SECRET));
        assertThat(backend().recover(sig, zero)).isEqualTo(rpc.publicKey());
    }

    @Test
    void recoverRoundTripsAndAcceptsHighS() {
        Random rnd = new Random(0xBAC0_0009L);
        for (int i = 0; i < 30; i++) {
            BigInteger d = randomScalar(rnd);
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            H256 hash = H256.fromBytes(h);
            RecoverableSignature sig = Ecdsa.sign(secret(d), hash);
            PublicPoint key = oracleMulG(d);
            assertThat(backend().recover(sig, hash)).isEqualTo(key);
            RecoverableSignature high = RecoverableSignature.of(sig.r(), sig.s().negate(), sig.v() ^ 1); // same R, −s, other parity
            assertThat(backend().recover(high, hash)).isEqualTo(key);
        }
    }

    @Test
    void recoverRejectsXAboveTheFieldPrime() {
        // v = 2 means X = r + n, which is ≥ p for any r ≥ p − n (about 2^128)
        RecoverableSignature sig = RecoverableSignature.of(Scalar.of(Secp256k1.P.subtract(N)), Scalar.ONE, 2);
        assertInvalidSignature(sig, H256.fromBytes(new byte[32]));
    }

    @Test
    void recoverRejectsAnRThatIsNotOnTheCurve() {
        BigInteger x = BigInteger.ONE;
        while (true) { // the first X with X³ + 7 not a square
            byte[] compressed = new byte[33];
            compressed[0] = 0x02;
            System.arraycopy(Scalar.toBytes32(x), 0, compressed, 1, 32);
            try {
                Secp256k1.CURVE.decodePoint(compressed);
                x = x.add(BigInteger.ONE);
            } catch (IllegalArgumentException notOnCurve) {
                break;
            }
        }
        assertInvalidSignature(RecoverableSignature.of(Scalar.of(x), Scalar.ONE, 0), H256.fromBytes(new byte[32]));
    }

    @Test
    void recoverRejectsASignatureRecoveringToInfinity() {
        // R = k·G, s = 1, e = k: Q = r⁻¹·(R − k·G) = ∞
        BigInteger k = BigInteger.valueOf(0xABCDEF);
        PublicPoint bigR = oracleMulG(k);
        BigInteger x = bigR.xAsBigInteger();
        int v = (bigR.isYOdd() ? 1 : 0) | (x.compareTo(N) >= 0 ? 2 : 0);
        RecoverableSignature sig = RecoverableSignature.of(Scalar.of(x), Scalar.ONE, v);
        assertInvalidSignature(sig, H256.fromBytes(Scalar.toBytes32(k)));
    }

    private void assertInvalidSignature(RecoverableSignature sig, H256 hash) {
        assertThatThrownBy(() -> backend().recover(sig, hash)).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_SIGNATURE));
    }
}
