package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fp52} against {@code BigInteger} arithmetic mod p, with seeded random inputs, the edge
 * values 0, 1, p − 1, p − 2, limb boundaries, and non-normalized inputs up to the magnitudes the multiplier uses
 * (limbs at their maximum, where the 64-bit accumulators come closest to overflowing).
 */
class Fp52Test {
    private static final BigInteger P = Secp256k1.P;
    private static final long LIMB = 0xFFFFFFFFFFFFFL;
    private static final long TOP = 0xFFFFFFFFFFFFL;

    private static BigInteger value(long[] a) {
        BigInteger v = BigInteger.ZERO;
        for (int i = Fp52.LIMBS - 1; i >= 0; i--) {
            v = v.shiftLeft(52).add(BigInteger.valueOf(a[i]));
        }
        return v;
    }

    private static long[] fe(BigInteger v) {
        long[] r = Fp52.create();
        Fp52.fromBytes(r, Scalar.toBytes32(v.mod(P)));
        return r;
    }

    /** A (generally non-normalized) element of magnitude m: each limb uniform in [0, 2·m·max]. */
    private static long[] randomWithMagnitude(Random rnd, int m) {
        long[] r = Fp52.create();
        for (int i = 0; i < Fp52.LIMBS; i++) {
            long bound = 2L * m * (i == 4 ? TOP : LIMB);
            r[i] = Math.floorMod(rnd.nextLong(), bound + 1);
        }
        return r;
    }

    /** Every limb at the maximum for magnitude m. */
    private static long[] maxWithMagnitude(int m) {
        long[] r = Fp52.create();
        for (int i = 0; i < Fp52.LIMBS; i++) {
            r[i] = 2L * m * (i == 4 ? TOP : LIMB);
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
            case 5 -> BigInteger.ONE.shiftLeft(52).subtract(BigInteger.ONE);
            case 6 -> BigInteger.ONE.shiftLeft(208).subtract(BigInteger.ONE);
            case 7 -> P.subtract(BigInteger.ONE.shiftLeft(52));
            default -> new BigInteger(256, rnd).mod(P);
        };
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void normalizedArithmeticMatchesBigInteger(int seed) {
        Random rnd = new Random(0xF52_0000L + seed);
        for (int i = 0; i < 300; i++) {
            BigInteger a = randomBelowP(rnd, seed == 0 ? i : 100);
            BigInteger b = randomBelowP(rnd, seed == 1 ? i : 100);
            long[] x = fe(a);
            long[] y = fe(b);
            assertThat(value(x)).isEqualTo(a);
            assertThat(Fp52.toBytes(x)).isEqualTo(Scalar.toBytes32(a));

            long[] r = Fp52.create();
            Fp52.mul(r, x, y);
            assertThat(norm(r)).as("mul").isEqualTo(a.multiply(b).mod(P));
            Fp52.sqr(r, x);
            assertThat(norm(r)).as("sqr").isEqualTo(a.multiply(a).mod(P));
            Fp52.copy(r, x);
            Fp52.add(r, y);
            assertThat(norm(r)).as("add").isEqualTo(a.add(b).mod(P));
            Fp52.negate(r, x, 1);
            assertThat(norm(r)).as("negate").isEqualTo(a.negate().mod(P));
            Fp52.copy(r, x);
            Fp52.half(r);
            assertThat(norm(r)).as("half").isEqualTo(a.multiply(BigInteger.TWO.modInverse(P)).mod(P));
            Fp52.inv(r, x);
            assertThat(value(r)).as("inv").isEqualTo(a.signum() == 0 ? BigInteger.ZERO : a.modInverse(P));
            assertThat(Fp52.normalizesToZero(x)).isEqualTo(a.signum() == 0 ? 1 : 0);

            Fp52.copy(r, x);
            Fp52.cmov(r, y, 0);
            assertThat(value(r)).isEqualTo(a);
            Fp52.cmov(r, y, 1);
            assertThat(value(r)).isEqualTo(b);
        }
    }

    private static BigInteger norm(long[] r) {
        long[] t = r.clone();
        Fp52.normalize(t);
        BigInteger v = value(t);
        assertThat(v).as("normalized value is below p").isLessThan(P);
        for (int i = 0; i < 4; i++) {
            assertThat(t[i]).isBetween(0L, LIMB);
        }
        assertThat(t[4]).isBetween(0L, TOP);
        return v;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void lazyReducedInputsUpToMagnitudeEight(int seed) {
        Random rnd = new Random(0xF52_1000L + seed);
        for (int i = 0; i < 300; i++) {
            int ma = i == 0 ? 8 : 1 + rnd.nextInt(8);
            int mb = i == 0 ? 8 : 1 + rnd.nextInt(8);
            long[] x = i == 0 ? maxWithMagnitude(8) : randomWithMagnitude(rnd, ma);
            long[] y = i == 0 ? maxWithMagnitude(8) : randomWithMagnitude(rnd, mb);
            BigInteger a = value(x).mod(P);
            BigInteger b = value(y).mod(P);

            long[] r = Fp52.create();
            Fp52.mul(r, x, y);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).as("mul").isEqualTo(a.multiply(b).mod(P));
            Fp52.sqr(r, x);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).as("sqr").isEqualTo(a.multiply(a).mod(P));
            Fp52.negate(r, x, ma);
            assertThat(value(r).mod(P)).as("negate").isEqualTo(a.negate().mod(P));
            assertThat(norm(r)).isEqualTo(a.negate().mod(P));
            Fp52.copy(r, x);
            Fp52.half(r);
            assertThat(norm(r)).as("half").isEqualTo(a.multiply(BigInteger.TWO.modInverse(P)).mod(P));
            Fp52.copy(r, x);
            Fp52.normalizeWeak(r);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).isEqualTo(a);
            assertThat(Fp52.normalizesToZero(x)).isEqualTo(a.signum() == 0 ? 1 : 0);
        }
    }

    @Test
    void multiplesOfPNormalizeToZero() {
        // p, 2p, 3p written with lazy limbs: raw values that are ≡ 0 but not 0
        for (int k = 1; k <= 3; k++) {
            BigInteger v = P.multiply(BigInteger.valueOf(k));
            long[] r = Fp52.create();
            for (int i = 0; i < 5; i++) {
                r[i] = v.shiftRight(52 * i).longValue() & (i == 4 ? (1L << 52) - 1 : LIMB);
            }
            assertThat(value(r)).isEqualTo(v);
            assertThat(Fp52.normalizesToZero(r)).as("%d·p", k).isEqualTo(1);
            Fp52.normalize(r);
            assertThat(value(r)).isZero();
        }
        long[] pMinusOne = fe(P.subtract(BigInteger.ONE));
        assertThat(Fp52.normalizesToZero(pMinusOne)).isZero();
    }

    private static void assertMagnitudeOne(long[] r) {
        for (int i = 0; i < 4; i++) {
            assertThat(r[i]).as("limb %d", i).isBetween(0L, 2 * LIMB);
        }
        assertThat(r[4]).isBetween(0L, 2 * TOP);
    }

    /** Magnitude m with each limb at the maximum, 0, or uniform (all limbs alike or mixed). */
    private static long[] mixedWithMagnitude(Random rnd, int m) {
        long[] r = Fp52.create();
        int mode = rnd.nextInt(4);
        for (int i = 0; i < Fp52.LIMBS; i++) {
            long bound = 2L * m * (i == 4 ? TOP : LIMB);
            r[i] = switch (mode) {
                case 0 -> bound;
                case 1 -> rnd.nextBoolean() ? bound : 0;
                default -> Math.floorMod(rnd.nextLong(), bound + 1);
            };
        }
        return r;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mulAndSqrMatchBigIntegerUpToMagnitude8(int seed) {
        Random rnd = new Random(0xF52_0000L + seed);
        for (int i = 0; i < 2000; i++) {
            int ma = 1 + rnd.nextInt(8);
            int mb = 1 + rnd.nextInt(8);
            long[] x = mixedWithMagnitude(rnd, ma);
            long[] y = mixedWithMagnitude(rnd, mb);
            BigInteger a = value(x);
            BigInteger b = value(y);
            long[] r = Fp52.create();
            Fp52.mul(r, x, y);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).isEqualTo(a.multiply(b).mod(P));
            Fp52.sqr(r, x);
            assertMagnitudeOne(r);
            assertThat(value(r).mod(P)).isEqualTo(a.multiply(a).mod(P));
            long[] alias = x.clone();
            Fp52.mul(alias, alias, y);
            assertThat(value(alias).mod(P)).isEqualTo(a.multiply(b).mod(P));
        }
    }
}
