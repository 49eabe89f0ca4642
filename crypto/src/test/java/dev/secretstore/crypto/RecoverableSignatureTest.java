package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Parsing of {@code r ‖ s ‖ v} (crypto.md §2, §4; SEC-02: range checks, never reduce). */
class RecoverableSignatureTest {
    private static final String VALID =
            "7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300";

    @Test
    void roundTripsAndExposesParts() {
        RecoverableSignature sig = RecoverableSignature.fromHex("0x" + VALID.toUpperCase());
        assertThat(sig.toHex()).isEqualTo(VALID);
        assertThat(sig.toString()).isEqualTo(VALID);
        assertThat(sig.r()).isEqualTo(Scalar.fromHex(VALID.substring(0, 64)));
        assertThat(sig.s()).isEqualTo(Scalar.fromHex(VALID.substring(64, 128)));
        assertThat(sig.v()).isZero();
        assertThat(RecoverableSignature.fromBytes(sig.toBytes())).isEqualTo(sig).hasSameHashCodeAs(sig);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void acceptsRecoveryIdsZeroToThree(int v) {
        assertThat(RecoverableSignature.fromBytes(withV(v)).v()).isEqualTo(v);
    }

    @ParameterizedTest
    @ValueSource(ints = {27, 28})
    void mapsEthereum27And28ToZeroAndOne(int v) {
        RecoverableSignature sig = RecoverableSignature.fromBytes(withV(v));
        assertThat(sig.v()).isEqualTo(v - 27);
        assertThat(sig.toBytes()[64]).isEqualTo((byte) (v - 27));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 26, 29, 30, 31, 35, 36, 42, 127, 128, 255})
    void rejectsOtherRecoveryIds(int v) {
        assertInvalid(withV(v));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 32, 64, 66, 130})
    void rejectsWrongLengths(int length) {
        assertInvalid(new byte[length]);
    }

    @Test
    void rejectsNullAndBadHex() {
        assertInvalid(null);
        assertThatThrownBy(() -> RecoverableSignature.fromHex("zz" + VALID.substring(2)))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_SIGNATURE));
        assertThatThrownBy(() -> RecoverableSignature.fromHex(VALID.substring(1)))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_SIGNATURE));
    }

    @Test
    void rejectsRAndSOutOfRange() { // SEC-02: 0, n, n+1, 2^256−1 rejected, never reduced
        BigInteger n = Secp256k1.N;
        BigInteger[] bad = {BigInteger.ZERO, n, n.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE)};
        for (BigInteger value : bad) {
            byte[] r = withV(0);
            System.arraycopy(Scalar.toBytes32(value), 0, r, 0, 32);
            assertInvalid(r);
            byte[] s = withV(0);
            System.arraycopy(Scalar.toBytes32(value), 0, s, 32, 32);
            assertInvalid(s);
        }
    }

    @Test
    void acceptsBoundaryRAndS() {
        byte[] sig = withV(1);
        System.arraycopy(Scalar.toBytes32(BigInteger.ONE), 0, sig, 0, 32);
        System.arraycopy(Scalar.toBytes32(Secp256k1.N.subtract(BigInteger.ONE)), 0, sig, 32, 32);
        RecoverableSignature parsed = RecoverableSignature.fromBytes(sig);
        assertThat(parsed.r()).isEqualTo(Scalar.ONE);
        assertThat(parsed.isLowS()).isFalse();
    }

    @Test
    void inputArrayIsNotRetained() {
        byte[] bytes = Hex.decode(VALID);
        RecoverableSignature sig = RecoverableSignature.fromBytes(bytes);
        bytes[0] ^= 1;
        assertThat(sig.toHex()).isEqualTo(VALID);
        sig.toBytes()[0] ^= 1;
        assertThat(sig.toHex()).isEqualTo(VALID);
    }

    private static byte[] withV(int v) {
        byte[] b = Hex.decode(VALID);
        b[64] = (byte) v;
        return b;
    }

    private static void assertInvalid(byte[] bytes) {
        assertThatThrownBy(() -> RecoverableSignature.fromBytes(bytes))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_SIGNATURE));
    }
}
