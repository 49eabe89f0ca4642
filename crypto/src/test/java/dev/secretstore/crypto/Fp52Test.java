package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fp52} against {@code BigInteger} arithmetic mod p, with seeded random inputs and
 * non-normalized inputs up to the magnitude bound of {@link Fp52#mul} (limbs at their maximum, where
 * the accumulators come closest to overflowing).
 */
class Fp52Test {
    private static final BigInteger P = Secp256k1.P;
    private static final long LIMB = 0xFFFFFFFFFFFFFL;
    private static final long TOP = 0xFFFFFFFFFFFFL;

    static BigInteger value(long[] a) {
        BigInteger v = BigInteger.ZERO;
        for (int i = Fp52.LIMBS - 1; i >= 0; i--) {
            v = v.shiftLeft(52).add(BigInteger.valueOf(a[i]));
        }
        return v;
    }

    /** A (generally non-normalized) element of magnitude m: each limb uniform in [0, 2·m·max], or at an end. */
    static long[] randomWithMagnitude(Random rnd, int m) {
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

    /** Magnitude 1: limbs at most 2·(2⁵²−1), top at most 2·(2⁴⁸−1). */
    static void assertMagnitude1(long[] r) {
        for (int i = 0; i < Fp52.LIMBS; i++) {
            assertThat(r[i]).isBetween(0L, 2L * (i == 4 ? TOP : LIMB));
        }
    }

    static IntStream seeds() {
        return IntStream.range(0, 8);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mulAndSqrMatchBigIntegerUpToMagnitude8(int seed) {
        Random rnd = new Random(0xF52_0000L + seed);
        for (int i = 0; i < 2000; i++) {
            int ma = 1 + rnd.nextInt(8);
            int mb = 1 + rnd.nextInt(8);
            long[] x = randomWithMagnitude(rnd, ma);
            long[] y = randomWithMagnitude(rnd, mb);
            BigInteger a = value(x);
            BigInteger b = value(y);
            long[] r = Fp52.create();
            Fp52.mul(r, x, y);
            assertMagnitude1(r);
            assertThat(value(r).mod(P)).isEqualTo(a.multiply(b).mod(P));
            Fp52.sqr(r, x);
            assertMagnitude1(r);
            assertThat(value(r).mod(P)).isEqualTo(a.multiply(a).mod(P));
            long[] alias = x.clone();
            Fp52.mul(alias, alias, y);
            assertThat(value(alias).mod(P)).isEqualTo(a.multiply(b).mod(P));
        }
    }
}
