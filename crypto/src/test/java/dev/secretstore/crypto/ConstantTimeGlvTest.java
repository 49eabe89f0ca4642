package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The constant-time GLV multiplier ({@link ConstantTimeGlv}) against BouncyCastle's comb (the
 * previous production path) and its variable-time multiplier, on seeded random inputs and on
 * edge scalars and points. libsecp256k1 is compared in {@link LibSecp256k1DifferentialTest}.
 */
class ConstantTimeGlvTest {
    private static final BigInteger N = Secp256k1.N;
    static final BigInteger LAMBDA = new BigInteger(ConstantTimeGlv.LAMBDA_HEX, 16);
    private static final BigInteger BETA = new BigInteger(ConstantTimeGlv.BETA_HEX, 16);
    private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);

    private static int[] limbs(BigInteger k) {
        return ModN.fromBytes(Scalar.toBytes32(k.mod(N)));
    }

    private static BigInteger big(int[] limbs) {
        return new BigInteger(1, ModN.toBytes(limbs));
    }

    /** Signed representative in (−n/2, n/2]. */
    private static BigInteger signed(BigInteger v) {
        return v.compareTo(Secp256k1.HALF_N) > 0 ? v.subtract(N) : v;
    }

    /** A scalar k whose recoded input s = (k + K)/2 is exactly a + λ·b. */
    private static BigInteger kForSplit(BigInteger a, BigInteger b) {
        BigInteger s = a.add(LAMBDA.multiply(b)).mod(N);
        return s.shiftLeft(1).subtract(big(ConstantTimeGlv.K)).mod(N);
    }

    /** Edge scalars: small, near n, λ-related, around 2¹²⁸ and 2¹²⁹, and ones whose split halves sit at the bounds. */
    static List<BigInteger> edgeScalars() {
        List<BigInteger> out = new ArrayList<>();
        for (long v : new long[] {0, 1, 2, 3, 15, 16, 17, 31, 32, 33}) {
            out.add(BigInteger.valueOf(v));
        }
        for (long v : new long[] {1, 2, 3, 16, 31}) {
            out.add(N.subtract(BigInteger.valueOf(v)));
        }
        out.add(Secp256k1.HALF_N);
        out.add(Secp256k1.HALF_N.add(BigInteger.ONE));
        out.add(LAMBDA);
        out.add(LAMBDA.multiply(LAMBDA).mod(N));
        out.add(N.subtract(LAMBDA));
        out.add(LAMBDA.add(BigInteger.ONE));
        for (int e : new int[] {127, 128, 129, 130, 255}) {
            BigInteger p = BigInteger.ONE.shiftLeft(e);
            out.add(p.subtract(BigInteger.ONE).mod(N));
            out.add(p.mod(N));
            out.add(p.add(BigInteger.ONE).mod(N));
        }
        out.add(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE).mod(N));
        // k = −K·½⁻¹…: the recoded input s is 0, ±1, and halves at ±(2¹²⁸ − 1), ±2¹²⁷
        BigInteger[] parts = {BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), TWO_128.subtract(BigInteger.ONE),
            TWO_128.subtract(BigInteger.ONE).negate(), BigInteger.ONE.shiftLeft(127), BigInteger.ONE.shiftLeft(127).negate()};
        for (BigInteger a : parts) {
            for (BigInteger b : parts) {
                out.add(kForSplit(a, b));
            }
        }
        return out;
    }

    /** Random points plus G, −G, λG = (β·Gx, Gy) and a point with tiny x. */
    private static List<ECPoint> edgePoints() {
        List<ECPoint> out = new ArrayList<>();
        out.add(Secp256k1.G);
        out.add(Secp256k1.G.negate().normalize());
        out.add(Secp256k1.mulPublicBc(Secp256k1.G, LAMBDA));
        out.add(smallestXPoint());
        out.add(Secp256k1.mulPublicBc(Secp256k1.G, N.subtract(BigInteger.TWO)));
        return out;
    }

    private static ECPoint smallestXPoint() {
        for (int x = 1; ; x++) {
            byte[] enc = new byte[33];
            enc[0] = 0x02;
            System.arraycopy(Scalar.toBytes32(BigInteger.valueOf(x)), 0, enc, 1, 32);
            try {
                return Secp256k1.CURVE.decodePoint(enc).normalize();
            } catch (IllegalArgumentException notOnCurve) {
                // try the next x
            }
        }
    }

    private static ECPoint reference(ECPoint p, BigInteger k) {
        return p.multiply(k.mod(N)).normalize(); // BouncyCastle, variable time: test oracle only
    }

    private static void assertProduct(ECPoint p, BigInteger k) {
        ECPoint expected = reference(p, k);
        ECPoint glv = Secp256k1.mulSecretGlv(p, limbs(k));
        assertThat(glv.isInfinity()).as("infinity for k=%s", k.toString(16)).isEqualTo(expected.isInfinity());
        if (!expected.isInfinity()) {
            assertThat(glv.getEncoded(false)).as("k=%s", k.toString(16)).isEqualTo(expected.getEncoded(false));
            ECPoint comb = Secp256k1.mulSecretComb(p, limbs(k));
            assertThat(glv.getEncoded(false)).as("GLV vs comb, k=%s", k.toString(16)).isEqualTo(comb.getEncoded(false));
        }
    }

    @Test
    void constantsAreTheEndomorphism() {
        assertThat(LAMBDA.modPow(BigInteger.valueOf(3), N)).isEqualTo(BigInteger.ONE);
        assertThat(BETA.modPow(BigInteger.valueOf(3), Secp256k1.P)).isEqualTo(BigInteger.ONE);
        ECPoint lg = Secp256k1.mulPublicBc(Secp256k1.G, LAMBDA);
        assertThat(lg.getAffineXCoord().toBigInteger())
                .isEqualTo(Secp256k1.G.getAffineXCoord().toBigInteger().multiply(BETA).mod(Secp256k1.P));
        assertThat(lg.getAffineYCoord()).isEqualTo(Secp256k1.G.getAffineYCoord());
        // K = (2¹³⁰ − 2¹²⁹ − 1)(1 + λ) mod n, libsecp256k1's constant for ECMULT_CONST_BITS = 130
        BigInteger k = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.ONE.shiftLeft(129)).subtract(BigInteger.ONE)
                .multiply(BigInteger.ONE.add(LAMBDA)).mod(N);
        assertThat(big(ConstantTimeGlv.K)).isEqualTo(k);
        // the split's rounding constants: g1 = round(2³⁸⁴·b2/n), g2 = round(2³⁸⁴·(−b1)/n), with b2 = −b1's partner a1
        BigInteger minusB1 = big(ConstantTimeGlv.MINUS_B1);
        BigInteger b2 = N.subtract(big(ConstantTimeGlv.MINUS_B2));
        assertThat(big(ConstantTimeGlv.G1)).isEqualTo(roundDiv(BigInteger.ONE.shiftLeft(384).multiply(b2), N));
        assertThat(big(ConstantTimeGlv.G2)).isEqualTo(roundDiv(BigInteger.ONE.shiftLeft(384).multiply(minusB1), N));
    }

    private static BigInteger roundDiv(BigInteger a, BigInteger b) {
        return a.add(b.shiftRight(1)).divide(b);
    }

    @Test
    void splitAndRecodingStayInRange() {
        Random rnd = new Random(0x61F_0001L);
        List<BigInteger> ks = new ArrayList<>(edgeScalars());
        for (int i = 0; i < 2000; i++) {
            ks.add(new BigInteger(256, rnd).mod(N));
        }
        BigInteger worst1 = BigInteger.ZERO;
        BigInteger worst2 = BigInteger.ZERO;
        for (BigInteger k : ks) {
            int[][] split = ConstantTimeGlv.splitLambda(limbs(k));
            BigInteger r1 = signed(big(split[0]));
            BigInteger r2 = signed(big(split[1]));
            assertThat(r1.add(LAMBDA.multiply(r2)).mod(N)).as("r1 + λ·r2 = k").isEqualTo(k);
            assertThat(r1.abs()).as("|r1| < 2¹²⁸").isLessThan(TWO_128);
            assertThat(r2.abs()).as("|r2| < 2¹²⁸").isLessThan(TWO_128);
            worst1 = worst1.max(r1.abs());
            worst2 = worst2.max(r2.abs());

            int[][] v = ConstantTimeGlv.recode(limbs(k));
            BigInteger v1 = big(v[0]);
            BigInteger v2 = big(v[1]);
            assertThat(v1.bitLength()).as("v1 < 2¹²⁹").isLessThanOrEqualTo(129);
            assertThat(v2.bitLength()).as("v2 < 2¹²⁹").isLessThanOrEqualTo(129);
            // C(v) = 2v + 1 − 2¹³⁰ and C(v1) + λ·C(v2) = k
            BigInteger c1 = v1.shiftLeft(1).add(BigInteger.ONE).subtract(BigInteger.ONE.shiftLeft(130));
            BigInteger c2 = v2.shiftLeft(1).add(BigInteger.ONE).subtract(BigInteger.ONE.shiftLeft(130));
            assertThat(c1.add(LAMBDA.multiply(c2)).mod(N)).as("signed digits sum to k").isEqualTo(k);
        }
        // the edge inputs do reach the top of the range (so the bound checks above are not vacuous)
        assertThat(worst1.bitLength()).isEqualTo(128);
        assertThat(worst2.bitLength()).isGreaterThanOrEqualTo(126);
    }

    @Test
    void mulShiftRoundsToNearest() {
        Random rnd = new Random(0x61F_0002L);
        for (int i = 0; i < 500; i++) {
            BigInteger a = new BigInteger(256, rnd);
            BigInteger b = new BigInteger(256, rnd);
            BigInteger expected = a.multiply(b).add(BigInteger.ONE.shiftLeft(383)).shiftRight(384);
            int[] r = ConstantTimeGlv.mulShift384(ModN.fromBytes(Scalar.toBytes32(a)), ModN.fromBytes(Scalar.toBytes32(b)));
            assertThat(big(r)).isEqualTo(expected);
        }
    }

    @Test
    void halfModN() {
        Random rnd = new Random(0x61F_0003L);
        BigInteger inv2 = BigInteger.TWO.modInverse(N);
        for (int i = 0; i < 500; i++) {
            BigInteger a = switch (i) {
                case 0 -> BigInteger.ZERO;
                case 1 -> BigInteger.ONE;
                case 2 -> N.subtract(BigInteger.ONE);
                case 3 -> N.subtract(BigInteger.TWO);
                default -> new BigInteger(256, rnd).mod(N);
            };
            assertThat(big(ModN.half(limbs(a)))).isEqualTo(a.multiply(inv2).mod(N));
        }
    }

    @Test
    void edgeScalarsOnEdgePoints() {
        for (ECPoint p : edgePoints()) {
            for (BigInteger k : edgeScalars()) {
                assertProduct(p, k);
            }
        }
    }

    @Test
    void zeroGivesInfinity() {
        assertThat(Secp256k1.mulSecretGlv(Secp256k1.G, new int[8]).isInfinity()).isTrue();
        assertThat(Secp256k1.mulSecret(smallestXPoint(), new int[8]).isInfinity()).isTrue();
    }

    static IntStream seeds() {
        return IntStream.range(0, 4);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomScalarsOnRandomPoints(int seed) {
        Random rnd = new Random(0x61F_1000L + seed);
        for (int i = 0; i < 150; i++) {
            BigInteger k = new BigInteger(256, rnd).mod(N);
            ECPoint p = Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger(256, rnd).mod(N).add(BigInteger.ONE));
            assertProduct(p, k);
        }
    }

    /**
     * Scalars whose signed digits make table entries meet the accumulator in the special cases of
     * the complete addition (y1 = −y2 with x1 ≠ x2 happens here; see also the direct group-law test).
     */
    @Test
    void scalarsNearSmallLatticeCombinations() {
        Random rnd = new Random(0x61F_2000L);
        for (int i = 0; i < 8; i++) {
            ECPoint p = Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger(200, rnd).add(BigInteger.ONE));
            for (int a = -3; a <= 3; a++) {
                for (int b = -3; b <= 3; b++) {
                    BigInteger k = BigInteger.valueOf(a).add(LAMBDA.multiply(BigInteger.valueOf(b))).mod(N);
                    assertProduct(p, k);
                    assertProduct(p, k.shiftLeft(125).mod(N)); // the same combination in the top digits
                }
            }
        }
    }

    private static long[] fe(BigInteger v) {
        long[] r = Fp52.create();
        Fp52.fromBytes(r, Scalar.toBytes32(v));
        return r;
    }

    private static BigInteger feValue(long[] a) {
        long[] t = a.clone();
        Fp52.normalize(t);
        return new BigInteger(1, Fp52.toBytes(t));
    }

    /** Jacobian (x·z², y·z³, z) for a random z, or infinity (z = 0) when p is infinity. */
    private static ConstantTimeGlv.Jac jac(ECPoint p, Random rnd) {
        ConstantTimeGlv.Jac j = new ConstantTimeGlv.Jac();
        if (p.isInfinity()) {
            j.inf = 1; // coordinates are ignored; Z = 0 as the multiplier keeps it
            Fp52.copy(j.x, fe(BigInteger.valueOf(rnd.nextInt(1000))));
            Fp52.copy(j.y, fe(BigInteger.valueOf(rnd.nextInt(1000))));
            return j;
        }
        BigInteger z = new BigInteger(255, rnd).add(BigInteger.ONE);
        BigInteger pp = Secp256k1.P;
        Fp52.copy(j.x, fe(p.getAffineXCoord().toBigInteger().multiply(z.pow(2)).mod(pp)));
        Fp52.copy(j.y, fe(p.getAffineYCoord().toBigInteger().multiply(z.pow(3)).mod(pp)));
        Fp52.copy(j.z, fe(z));
        return j;
    }

    private static ECPoint affine(ConstantTimeGlv.Jac j) {
        if (j.inf == 1) {
            assertThat(feValue(j.z)).as("infinity has Z = 0").isZero();
            return Secp256k1.CURVE.getInfinity();
        }
        BigInteger pp = Secp256k1.P;
        BigInteger zi = feValue(j.z).modInverse(pp);
        return Secp256k1.CURVE.createPoint(feValue(j.x).multiply(zi.pow(2)).mod(pp), feValue(j.y).multiply(zi.pow(3)).mod(pp));
    }

    /**
     * The complete mixed addition and the doubling on every special case: a = ∞, a = b (doubling),
     * a = −b (result ∞), y1 = −y2 with x1 = β·x2 or β²·x2 (the alternative-λ branch), y1 = y2 with
     * x1 ≠ x2, plus the doubling of ∞ and of ordinary points. Each result matches BouncyCastle.
     */
    @Test
    void completeAdditionSpecialCases() {
        Random rnd = new Random(0x61F_3000L);
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        for (int i = 0; i < 50; i++) {
            ECPoint b = Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger(256, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
            ECPoint lb = Secp256k1.mulPublicBc(b, LAMBDA);
            ECPoint l2b = Secp256k1.mulPublicBc(b, LAMBDA.multiply(LAMBDA).mod(N));
            ECPoint[] as = {Secp256k1.CURVE.getInfinity(), b, b.negate().normalize(), lb.negate().normalize(), l2b.negate().normalize(),
                lb, l2b, Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger(256, rnd).mod(N).add(BigInteger.ONE))};
            for (ECPoint a : as) {
                ConstantTimeGlv.Jac r = jac(a, rnd);
                ConstantTimeGlv.addAffine(r, fe(b.getAffineXCoord().toBigInteger()), fe(b.getAffineYCoord().toBigInteger()), w);
                assertThat(affine(r)).as("a + b, case %s", a).isEqualTo(a.add(b).normalize());

                ConstantTimeGlv.Jac d = jac(a, rnd);
                ConstantTimeGlv.doubleJac(d, w);
                assertThat(affine(d)).as("2a").isEqualTo(a.twice().normalize());
            }
        }
    }
}
