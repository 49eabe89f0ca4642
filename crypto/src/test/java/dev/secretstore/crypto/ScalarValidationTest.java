package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SEC-02 (range checks, never reduce on decode) and SEC-07 (secret types). */
class ScalarValidationTest {
    static Stream<BigInteger> outOfRange() {
        return Stream.of(Secp256k1.N, Secp256k1.N.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void decodingNeverReduces(BigInteger v) {
        byte[] b = Scalar.toBytes32(v);
        assertThatThrownBy(() -> Scalar.fromBytes(b)).isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.INVALID_SCALAR));
        assertThatThrownBy(() -> SecretScalar.fromBytes(b)).isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.INVALID_SCALAR));
        assertThatThrownBy(() -> SecretScalar.fromBytesAllowZero(b)).isInstanceOf(CryptoException.class);
    }

    @Test
    void keyScalarsMustBeNonZero() {
        assertThatThrownBy(() -> SecretScalar.fromBytes(new byte[32])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Scalar.fromBytesNonZero(new byte[32])).isInstanceOf(CryptoException.class);
        assertThat(SecretScalar.fromBytesAllowZero(new byte[32]).isZero()).isTrue();
        assertThat(Scalar.fromBytes(new byte[32]).isZero()).isTrue();
        byte[] max = Scalar.toBytes32(Secp256k1.N.subtract(BigInteger.ONE));
        assertThat(SecretScalar.fromBytes(max).reveal().toBigInteger()).isEqualTo(Secp256k1.N.subtract(BigInteger.ONE));
        assertThat(SecretScalar.fromBytes(Scalar.toBytes32(BigInteger.ONE)).reveal()).isEqualTo(Scalar.ONE);
    }

    @Test
    void wrongLengthsAreEncodingErrors() {
        for (int len : new int[] {0, 31, 33}) {
            assertThatThrownBy(() -> Scalar.fromBytes(new byte[len])).isInstanceOf(CryptoException.class)
                    .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.INVALID_ENCODING));
            assertThatThrownBy(() -> SecretScalar.fromBytes(new byte[len])).isInstanceOf(CryptoException.class);
            assertThatThrownBy(() -> H256.fromBytes(new byte[len])).isInstanceOf(CryptoException.class);
        }
        assertThatThrownBy(() -> Address.fromBytes(new byte[19])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Address.fromHex("0x00a329c0648769a73afac7f9381e08fb43dbea7")).isInstanceOf(CryptoException.class);
    }

    @Test
    void inversionOfZeroIsAnError() {
        assertThatThrownBy(() -> Scalar.ZERO.inverse()).isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
        SecretScalar zero = SecretScalar.fromBytesAllowZero(new byte[32]);
        assertThatThrownBy(zero::inverse).isInstanceOf(CryptoException.class);
        assertThatThrownBy(zero::mulG).isInstanceOf(CryptoException.class);
    }

    @Test
    void secretNeverShownAndComparedByValue() { // SEC-07
        byte[] raw = Hex.decode("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7");
        SecretScalar s = SecretScalar.fromBytes(raw);
        KeyPair kp = KeyPair.fromSecret(SecretScalar.fromBytes(raw));
        assertThat(s.toString()).doesNotContain("4d5db4").doesNotContain("4D5DB4");
        assertThat(kp.toString()).doesNotContain("4d5db4").contains(kp.publicKey().toHex());
        assertThat(s).isEqualTo(SecretScalar.fromBytes(raw)).isNotEqualTo(SecretScalar.fromBytes(Scalar.ONE.toBytes()));
        assertThat(s.hashCode()).isEqualTo(SecretScalar.fromBytes(Scalar.ONE.toBytes()).hashCode());
    }

    @Test
    void destroyZeroesAndForbidsUse() { // SEC-07
        SecretScalar s = SecretScalar.random();
        SecretScalar copy = s.copy();
        s.destroy();
        assertThat(s.isDestroyed()).isTrue();
        assertThat(s.toString()).contains("destroyed");
        assertThatThrownBy(s::toBytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(s::mulG).isInstanceOf(IllegalStateException.class);
        assertThat(copy.isZero()).isFalse();
        assertThat(copy.mulG()).isNotNull();
    }

    @Test
    void hexDecodingIsStrict() {
        assertThat(Hex.decode("0aFF")).containsExactly(0x0a, 0xff);
        assertThatThrownBy(() -> Hex.decode("0")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Hex.decode("0g")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Hex.decode(" 0")).isInstanceOf(CryptoException.class);
        assertThat(Hex.decodeLenient("0X0a")).containsExactly(0x0a);
        assertThat(Hex.encodePrefixed(new byte[] {1, 2, 3, 4})).isEqualTo("0x01020304"); // test-vectors A.9 bytes
    }
}
