package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fp26} against {@code BigInteger} arithmetic mod p, with seeded random inputs, the edge
 * values 0, 1, p − 1, p − 2, and non-normalized inputs up to the magnitudes the multiplier uses
 * (limbs at their maximum, where the 64-bit accumulators come closest to overflowing).
 */
class Fp26Test {
    private static final BigInteger P = Secp256k1.P;
    private static final long LIMB = 0x3FFFFFFL;
    private static final long TOP = 0x03FFFFFL;

    private static BigInteger value(long[] a) {
        BigInteger v = BigInteger.ZERO;
        for (int i = Fp26.LIMBS - 1; i >= 0; i--) {
            v = v.shiftLeft(26).add(BigInteger.valueOf(a[i]));
        }
        return v;
    }

    private static long[] fe(BigInteger v) {
        long[] r = Fp26.create();
        Fp26.fromBytes(r, Scalar.toBytes32(v.mod(P)));
        return r;
    }

    /** A (generally non-normalized) element of magnitude m: each limb uniform in [0, 2·m·max]. */
    private static long[] randomWithMagnitude(Random rnd, int m) {
        long[] r = Fp26.create();
        for (int i = 0; i < Fp26.LIMBS; i++) {
            long bound = 2L * m * (i == 9 ? TOP : LIMB);
            r[i] = Math.floorMod(rnd.nextLong(), bound + 1);
        }
        return r;
    }

    /** Every limb at the maximum for magnitude m. */
    private static long[] maxWithMagnitude(int m) {
        long[] r = Fp26.create();
        for (int i = 0; i < Fp26.LIMBS; i++) {
            r[i] = 2L * m * (i == 9 ? TOP : LIMB);
        }
        return r;
    }

    static IntStream seeds() {
        return IntStream.range(0, 8);
    }

    private static BigInteger randomBelowP(Random rnd, int i) {
        return switch (i) {
            case 0 -> BigInteger.ZERO;
            case 1 -> BigInteger.ONE;
            case 2 -> P.subtract(BigInteger.ONE);
            case 3 -> P.subtract(BigInteger.TWO);
            case 4 -> BigInteger.ONE.shiftLeft(255);
            case 5 -> BigInteger.ONE.shiftLeft(26).subtract(BigInteger.ONE);
            default -> new BigInteger(256, rnd).mod(P);
        };
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void normalizedArithmeticMatchesBigInteger(int seed) {
        Random rnd = new Random(0xF26_0000L + seed);
        for (int i = 0; i < 300; i++) {
            BigInteger a = randomBelowP(rnd, seed == 0 ? i : 100);
            BigInteger b = randomBelowP(rnd, seed == 1 ? i : 100);
            long[] x = fe(a);
            long[] y = fe(b);
            assertThat(value(x)).isEqualTo(a);
            assertThat(Fp26.toBytes(x)).isEqualTo(Scalar.toBytes32(a));

            long[] r = Fp26.create();
            Fp26.mul(r, x, y);
            assertThat(norm(r)).as("mul").isEqualTo(a.multiply(b).mod(P));
            Fp26.sqr(r, x);
            assertThat(norm(r)).as("sqr").isEqualTo(a.multiply(a).mod(P));
            Fp26.copy(r, x);
            Fp26.add(r, y);
            assertThat(norm(r)).as("add").isEqualTo(a.add(b).mod(P));
            Fp26.negate(r, x, 1);
            assertThat(norm(r)).as("negate").isEqualTo(a.negate().mod(P));
            Fp26.copy(r, x);
            Fp26.half(r);
            assertThat(norm(r)).as("half").isEqualTo(a.multiply(BigInteger.TWO.modInverse(P)).mod(P));
            Fp26.inv(r, x);
            assertThat(value(r)).as("inv").isEqualTo(a.signum() == 0 ? BigInteger.ZERO : a.modInverse(P));
            assertThat(Fp26.normalizesToZero(x)).isEqualTo(a.signum() == 0 ? 1 : 0);

            Fp26.copy(r, x);
            Fp26.cmov(r, y, 0);
            assertThat(value(r)).isEqualTo(a);
            Fp26.cmov(r, y, 1);
            assertThat(value(r)).isEqualTo(b);
        }
    }

    private static BigInteger norm(long[] r) {
        long[] t = r.clone();
        Fp26.normalize(t);
        BigInteger v = value(t);
        assertThat(v).as("normalized value is below p").isLessThan(P);
        for (int i = 0; i < 9; i++) {
            assertThat(t[i]).isBetween(0L, LIMB);
        }
        assertThat(t[9]).isBetween(0L, TOP);
        return v;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void lazyReducedInputsUpToMagnitudeEight(int seed) {
        Random rnd = new Random(0xF26_1000L + seed);
        for (int i = 0; i < 300; i++) {
            int ma = i == 0 ? 8 : 1 + rnd.nextInt(8);
            int mb = i == 0 ? 8 : 1 + rnd.nextInt(8);
            long[] x = i == 0 ? maxWithMagnitude(8) : randomWithMagnitude(rnd, ma);
            long[] y = i == 0 ? maxWithMagnitude(8) : randomWithMagnitude(rnd, mb);
            BigInteger a = value(x).mod(P);
            BigInteger b = value(y).mod(P);

            long[] r = Fp26.create();
            Fp26.mul(r, x, y);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).as("mul").isEqualTo(a.multiply(b).mod(P));
            Fp26.sqr(r, x);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).as("sqr").isEqualTo(a.multiply(a).mod(P));
            Fp26.negate(r, x, ma);
            assertThat(value(r).mod(P)).as("negate").isEqualTo(a.negate().mod(P));
            assertThat(norm(r)).isEqualTo(a.negate().mod(P));
            Fp26.copy(r, x);
            Fp26.half(r);
            assertThat(norm(r)).as("half").isEqualTo(a.multiply(BigInteger.TWO.modInverse(P)).mod(P));
            Fp26.copy(r, x);
            Fp26.normalizeWeak(r);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).isEqualTo(a);
            assertThat(Fp26.normalizesToZero(x)).isEqualTo(a.signum() == 0 ? 1 : 0);
        }
    }

    @Test
    void multiplesOfPNormalizeToZero() {
        // p, 2p, 3p written with lazy limbs: raw values that are ≡ 0 but not 0
        for (int k = 1; k <= 3; k++) {
            BigInteger v = P.multiply(BigInteger.valueOf(k));
            long[] r = Fp26.create();
            for (int i = 0; i < 10; i++) {
                r[i] = v.shiftRight(26 * i).longValue() & (i == 9 ? (1L << 30) - 1 : LIMB);
            }
            assertThat(value(r)).isEqualTo(v);
            assertThat(Fp26.normalizesToZero(r)).as("%d·p", k).isEqualTo(1);
            Fp26.normalize(r);
            assertThat(value(r)).isZero();
        }
        long[] pMinusOne = fe(P.subtract(BigInteger.ONE));
        assertThat(Fp26.normalizesToZero(pMinusOne)).isZero();
    }

    private static void assertMagnitudeOne(long[] r) {
        for (int i = 0; i < 9; i++) {
            assertThat(r[i]).as("limb %d", i).isBetween(0L, 2 * LIMB);
        }
        assertThat(r[9]).isBetween(0L, 2 * TOP);
    }
}
