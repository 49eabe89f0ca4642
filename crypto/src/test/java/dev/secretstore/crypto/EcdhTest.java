package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

/** Raw-x ECDH (crypto.md §5): test-vectors.md A.3 and agreement symmetry. */
class EcdhTest {

    @Test
    void vectorA3_ecdhRawX() {
        SecretScalar secret = SecretScalar.fromBytes(Hex.decode("01a400760945613ff6a46383b250bf27493bfe679f05274916182776f09b28f1"));
        PublicPoint peer = PublicPoint.fromHex(
                "e37f3cbb0d0601dc930b8d8aa56910dd5629f2a0979cc742418960573efc5c0ff96bc87f104337d8c6ab37e597d4f9ffbd57302bc98a825519f691b378ce13f5");
        assertThat(Hex.encode(Ecdh.agree(secret, peer)))
                .isEqualTo("28ab6fad6afd854ff27162e0006c3f6bd2daafc0816c85b5dfb05dbb865fa6ac");
    }

    @Test
    void agreementIsSymmetricAndIsTheXOfTheProduct() {
        qt().withFixedSeed(0xEC0DL).withExamples(30).forAll(longs().all()).checkAssert(seed -> {
            DeterministicRandom rng = new DeterministicRandom(seed);
            SecretScalar a = SecretScalar.random(rng);
            SecretScalar b = SecretScalar.random(rng);
            byte[] ab = Ecdh.agree(a, b.mulG());
            assertThat(ab).hasSize(32).isEqualTo(Ecdh.agree(b, a.mulG()));
            // cross-check against the public (variable-time) path
            assertThat(ab).isEqualTo(b.mulG().mul(a.reveal()).x());
        });
    }

    @Test
    void xCoordinateAtOrAboveNIsRejectedLikeParity() { // SEC-02: ECDH output must be 1 ≤ x < n
        // Choose R with R.x ≥ n, then P = d⁻¹·R so that d·P = R (unreachable by chance, built on purpose).
        java.math.BigInteger x = Secp256k1.N;
        org.bouncycastle.math.ec.ECPoint bigR = null;
        while (bigR == null) {
            byte[] enc = new byte[33];
            enc[0] = 0x02;
            System.arraycopy(Scalar.toBytes32(x), 0, enc, 1, 32);
            try {
                bigR = Secp256k1.CURVE.decodePoint(enc);
            } catch (IllegalArgumentException notOnCurve) {
                x = x.add(java.math.BigInteger.ONE);
            }
        }
        String sharedX = Hex.encode(Scalar.toBytes32(x));
        SecretScalar d = SecretScalar.random(new DeterministicRandom(7));
        PublicPoint p = PublicPoint.of(bigR).mul(d.reveal().inverse());
        assertThatThrownBy(() -> Ecdh.agree(d, p))
                .isInstanceOfSatisfying(CryptoException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_SCALAR);
                    assertThat(e.getMessage()).doesNotContain(sharedX);
                });
    }

    @Test
    void zeroOrDestroyedSecretFails() {
        SecretScalar zero = SecretScalar.fromBytesAllowZero(new byte[32]);
        assertThatThrownBy(() -> Ecdh.agree(zero, PublicPoint.generator()))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
        SecretScalar destroyed = SecretScalar.random(new DeterministicRandom(1));
        destroyed.destroy();
        assertThatThrownBy(() -> Ecdh.agree(destroyed, PublicPoint.generator())).isInstanceOf(IllegalStateException.class);
    }
}
