package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Differential test of the constant-time scalar arithmetic (SEC-06) against BigInteger, including boundary values (SEC-02). */
class ModNTest {
    private static final BigInteger N = Secp256k1.N;

    static Stream<Arguments> edgePairs() {
        List<BigInteger> edge = List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, N.subtract(BigInteger.ONE),
                N.subtract(BigInteger.TWO), Secp256k1.HALF_N, Secp256k1.HALF_N.add(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(255), BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE));
        List<Arguments> out = new ArrayList<>();
        for (BigInteger a : edge) for (BigInteger b : edge) out.add(Arguments.of(a, b));
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("edgePairs")
    void boundaryValuesMatchBigInteger(BigInteger x, BigInteger y) {
        check(x, y);
    }

    @Test
    void randomValuesMatchBigInteger() {
        Random rnd = new Random(0x5EC12E7L);
        for (int i = 0; i < 5000; i++) {
            check(new BigInteger(256, rnd).mod(N), new BigInteger(256, rnd).mod(N));
        }
    }

    private static void check(BigInteger x, BigInteger y) {
        BigInteger[] ab = {x, y};
        int[] a = limbs(ab[0]);
        int[] b = limbs(ab[1]);
        assertThat(big(ModN.add(a, b))).isEqualTo(ab[0].add(ab[1]).mod(N));
        assertThat(big(ModN.sub(a, b))).isEqualTo(ab[0].subtract(ab[1]).mod(N));
        assertThat(big(ModN.mul(a, b))).isEqualTo(ab[0].multiply(ab[1]).mod(N));
        assertThat(big(ModN.negate(a))).isEqualTo(ab[0].negate().mod(N));
        if (ab[0].signum() != 0) {
            assertThat(big(ModN.inverse(a))).isEqualTo(ab[0].modInverse(N));
        }
        assertThat(ModN.isZeroMask(a) != 0).isEqualTo(ab[0].signum() == 0);
    }

    @Test
    void rangeCheckAtTheBoundary() {
        assertThat(ModN.ltN(limbs(N.subtract(BigInteger.ONE)))).isEqualTo(-1);
        assertThat(ModN.ltN(limbs(N))).isZero();
        assertThat(ModN.ltN(limbs(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE)))).isZero();
    }

    private static int[] limbs(BigInteger v) {
        return ModN.fromBytes(Scalar.toBytes32(v));
    }

    private static BigInteger big(int[] l) {
        return new BigInteger(1, ModN.toBytes(l));
    }
}
