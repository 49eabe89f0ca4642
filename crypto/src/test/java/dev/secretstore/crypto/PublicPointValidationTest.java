package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SEC-01: every point that crosses a boundary is validated. */
class PublicPointValidationTest {
    private static final BigInteger P = Secp256k1.P;
    private static final PublicPoint DEV_ACCOUNT = PublicPoint.fromHex(
            "3fa8c08c65a83f6b4ea3e04e1cc70cbe3cd391499e3e05ab7dedf28aff9afc538200ff93e3f2b2cb5029f03c7ebee820d63a4c5a9541c83acebe293f54cacf0e");

    static Stream<Arguments> invalidPoints() {
        byte[] valid = DEV_ACCOUNT.toBytes();
        BigInteger x = new BigInteger(1, DEV_ACCOUNT.x());
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(valid, 32, 64));
        return Stream.of(
                Arguments.of("all zero bytes", new byte[64]),
                Arguments.of("X = p", xy(P, y)),
                Arguments.of("Y = p", xy(x, P)),
                Arguments.of("Y + p (coordinate >= p, same residue)", xy(x, y.add(P).mod(BigInteger.ONE.shiftLeft(256)))),
                Arguments.of("Y + 1 (off curve)", xy(x, y.add(BigInteger.ONE))),
                Arguments.of("all 0xff", filled((byte) 0xff)),
                Arguments.of("point on y^2 = x^3 + 5 (x = 1, y = sqrt 6 does not exist) -> (1, 0)", xy(BigInteger.ONE, BigInteger.ZERO)),
                Arguments.of("point on twist y^2 = x^3 + 1: (0, 1)", xy(BigInteger.ZERO, BigInteger.ONE)),
                Arguments.of("point on y^2 = x^3 + 2: (1, sqrt 3)?", xy(BigInteger.ONE, BigInteger.valueOf(3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPoints")
    void rejectsInvalidPoint(String what, byte[] encoded) {
        assertThatThrownBy(() -> PublicPoint.fromBytes(encoded))
                .isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.INVALID_POINT));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 32, 63, 65, 66, 128})
    void rejectsWrongLength(int length) {
        assertThatThrownBy(() -> PublicPoint.fromBytes(new byte[length]))
                .isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.INVALID_ENCODING));
    }

    @Test
    void uncompressedFormRequiresPrefix04() {
        byte[] sec1 = DEV_ACCOUNT.toUncompressed();
        assertThat(PublicPoint.fromUncompressed(sec1)).isEqualTo(DEV_ACCOUNT);
        sec1[0] = 0x02;
        assertThatThrownBy(() -> PublicPoint.fromUncompressed(sec1)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PublicPoint.fromUncompressed(DEV_ACCOUNT.toBytes())).isInstanceOf(CryptoException.class);
    }

    @Test
    void infinityIsNeverAPoint() {
        assertThatThrownBy(() -> DEV_ACCOUNT.add(DEV_ACCOUNT.negate()))
                .isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.ZERO_RESULT));
        assertThatThrownBy(() -> DEV_ACCOUNT.mul(Scalar.ZERO)).isInstanceOf(CryptoException.class);
        assertThat(new PointSum().add(DEV_ACCOUNT).subtract(DEV_ACCOUNT).isInfinity()).isTrue();
    }

    @Test
    void roundTripsRandomPointsAndNegationKeepsX() {
        Random rnd = new Random(1);
        for (int i = 0; i < 50; i++) {
            PublicPoint p = PublicPoint.generator().mul(Scalar.of(new BigInteger(256, rnd)));
            assertThat(PublicPoint.fromBytes(p.toBytes())).isEqualTo(p);
            assertThat(PublicPoint.fromHex("0x" + p.toHex())).isEqualTo(p);
            PublicPoint neg = p.negate();
            assertThat(neg.x()).isEqualTo(p.x());
            assertThat(new BigInteger(1, java.util.Arrays.copyOfRange(neg.toBytes(), 32, 64)))
                    .isEqualTo(P.subtract(new BigInteger(1, java.util.Arrays.copyOfRange(p.toBytes(), 32, 64))));
        }
    }

    @Test
    void secretAndPublicMultiplicationAgree() {
        Random rnd = new Random(2);
        for (int i = 0; i < 20; i++) {
            byte[] k = Scalar.of(new BigInteger(256, rnd)).toBytes();
            SecretScalar secret = SecretScalar.fromBytes(k);
            Scalar pub = Scalar.fromBytes(k);
            assertThat(secret.mulG()).isEqualTo(PublicPoint.generator().mul(pub));
            assertThat(secret.mul(DEV_ACCOUNT)).isEqualTo(DEV_ACCOUNT.mul(pub));
        }
    }

    @Test
    void addressOfDevAccount() {
        assertThat(DEV_ACCOUNT.toAddress().toHex()).isEqualTo("0x00a329c0648769a73afac7f9381e08fb43dbea72");
    }

    private static byte[] xy(BigInteger x, BigInteger y) {
        byte[] out = new byte[64];
        System.arraycopy(Scalar.toBytes32(x), 0, out, 0, 32);
        System.arraycopy(Scalar.toBytes32(y), 0, out, 32, 32);
        return out;
    }

    private static byte[] filled(byte b) {
        byte[] out = new byte[64];
        java.util.Arrays.fill(out, b);
        return out;
    }
}
