package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * The constant-time fixed-base multiplier ({@link ConstantTimeComb}) against BouncyCastle (its comb,
 * the previous production path, and its variable-time default multiplier) on edge scalars (small,
 * near n, powers of two, long runs of equal nibbles) and seeded random ones; its recoding and its table
 * ({@code (2j + 1)·32^i·G}) against independent computations. libsecp256k1 is compared in
 * {@link LibSecp256k1DifferentialTest}.
 */
class ConstantTimeCombTest {
    private static final BigInteger N = Secp256k1.N;
    private static final int W = ConstantTimeComb.WINDOW;
    private static final int WINDOWS = ConstantTimeComb.WINDOWS;
    private static final int ENTRIES = ConstantTimeComb.ENTRIES;
    private static final int BITS = W * WINDOWS;
    private static final int TOP = W * (WINDOWS - 1); // position of the last window

    private static int[] limbs(BigInteger k) {
        return ModN.fromBytes(Scalar.toBytes32(k.mod(N)));
    }

    private static ECPoint affine(long[][] xy) {
        return Secp256k1.CURVE.createPoint(new BigInteger(1, Fp52.toBytes(xy[0])), new BigInteger(1, Fp52.toBytes(xy[1])));
    }

    /** Small values, n − small, 2^i ± 1, runs of 0 and f nibbles at either end, alternating nibble patterns. */
    static List<BigInteger> edgeScalars() {
        List<BigInteger> out = new ArrayList<>();
        for (int v = 1; v <= 40; v++) {
            out.add(BigInteger.valueOf(v));
        }
        for (int v = 1; v <= 20; v++) {
            out.add(N.subtract(BigInteger.valueOf(v)));
        }
        for (int e = 0; e < 256; e++) {
            BigInteger p = BigInteger.ONE.shiftLeft(e);
            out.add(p.mod(N));
            out.add(p.subtract(BigInteger.ONE).mod(N));
            out.add(p.add(BigInteger.ONE).mod(N));
            out.add(N.subtract(p.mod(N)).mod(N));
        }
        out.add(Secp256k1.HALF_N);
        out.add(Secp256k1.HALF_N.add(BigInteger.ONE));
        for (int nibbles = 1; nibbles <= 64; nibbles += 3) { // f…f at the top/bottom, 0…0 in between
            BigInteger ones = BigInteger.ONE.shiftLeft(4 * nibbles).subtract(BigInteger.ONE);
            out.add(ones.mod(N));
            out.add(ones.shiftLeft(256 - 4 * nibbles).mod(N));
            out.add(ones.shiftLeft(256 - 4 * nibbles).add(BigInteger.ONE).mod(N));
        }
        for (String pattern : new String[] {"1", "f", "8", "7", "e", "5a", "a5", "f0", "0f", "8000", "0001"}) {
            out.add(new BigInteger(pattern.repeat(64 / pattern.length()), 16).mod(N));
        }
        for (int j = 0; j < 16; j++) { // one digit j in every window, and each window alone
            out.add(new BigInteger(Integer.toHexString(j).repeat(64), 16).mod(N));
        }
        for (int i = 0; i < 64; i++) {
            out.add(BigInteger.valueOf(15).shiftLeft(4 * i).mod(N));
        }
        out.removeIf(k -> k.signum() == 0);
        return out;
    }

    private static void assertProduct(BigInteger k) {
        ECPoint expected = Secp256k1.mulPublicBc(Secp256k1.G, k); // BouncyCastle, variable time: oracle only
        long[][] xy = ConstantTimeComb.FOR_G.multiplyAffine(limbs(k));
        assertThat(xy).as("k=%s", k.toString(16)).isNotNull();
        assertThat(affine(xy).getEncoded(false)).as("k=%s", k.toString(16)).isEqualTo(expected.getEncoded(false));
    }

    @Test
    void zeroGivesInfinity() {
        assertThat(ConstantTimeComb.FOR_G.multiplyAffine(new int[8])).isNull();
        assertThat(Secp256k1.mulSecret(Secp256k1.G, new int[8]).isInfinity()).isTrue();
        assertThat(Secp256k1.mulSecretX(Secp256k1.G, new int[8])).isNull();
    }

    @Test
    void edgeScalarsMatchBouncyCastle() {
        for (BigInteger k : edgeScalars()) {
            assertProduct(k);
        }
    }

    @Test
    void seededRandomScalarsMatchBouncyCastleAndTheOldComb() {
        Random rnd = new Random(0xC0B_0001L);
        for (int i = 0; i < 1000; i++) {
            BigInteger k = new BigInteger(256, rnd).mod(N);
            if (k.signum() == 0) {
                continue;
            }
            assertProduct(k);
            ECPoint viaSecp = Secp256k1.mulSecret(Secp256k1.G, limbs(k));
            ECPoint comb = Secp256k1.mulSecretComb(Secp256k1.G, limbs(k));
            assertThat(viaSecp.getEncoded(false)).isEqualTo(comb.getEncoded(false));
            assertThat(Secp256k1.mulSecretX(Secp256k1.G, limbs(k))).isEqualTo(comb.getAffineXCoord().getEncoded());
        }
    }

    @Test
    void productsAreValidCurvePoints() {
        Random rnd = new Random(0xC0B_0002L);
        for (int i = 0; i < 50; i++) {
            long[][] xy = ConstantTimeComb.FOR_G.multiplyAffine(limbs(new BigInteger(256, rnd)));
            assertThat(affine(xy).isValid()).isTrue();
        }
    }

    @Test
    void recodingConstantAndDigitsSumToK() {
        assertThat(new BigInteger(1, ModN.toBytes(ConstantTimeComb.OFFSET)))
                .isEqualTo(BigInteger.ONE.shiftLeft(BITS).subtract(BigInteger.ONE).mod(N));
        Random rnd = new Random(0xC0B_0003L);
        List<BigInteger> ks = new ArrayList<>(edgeScalars());
        ks.add(BigInteger.ZERO);
        for (int i = 0; i < 200; i++) {
            ks.add(new BigInteger(256, rnd).mod(N));
        }
        for (BigInteger k : ks) {
            int[] v = ConstantTimeComb.recode(limbs(k));
            assertThat(v).hasSize(9);
            assertThat(v[8]).isZero();
            BigInteger sum = BigInteger.ZERO;
            for (int i = 0; i < WINDOWS; i++) {
                int n = ConstantTimeComb.group(v, i);
                assertThat(n).isBetween(0, 2 * ENTRIES - 1);
                BigInteger summand = BigInteger.valueOf(2L * n - (2 * ENTRIES - 1)).shiftLeft(W * i);
                if (i > 0 && i < WINDOWS - 1) { // addAffineGeneric's precondition: S ≠ 0, S ≠ ±summand (mod n)
                    assertThat(sum.mod(N)).isNotEqualTo(BigInteger.ZERO);
                    assertThat(sum.subtract(summand).mod(N)).isNotEqualTo(BigInteger.ZERO);
                    assertThat(sum.add(summand).mod(N)).isNotEqualTo(BigInteger.ZERO);
                }
                sum = sum.add(summand);
            }
            assertThat(sum.mod(N)).as("k=%s", k.toString(16)).isEqualTo(k);
        }
    }

    /**
     * Scalars whose last addition is a doubling ({@code k ≡ 2d·2^TOP} for the top digit d, which
     * takes few values since v &lt; 2²⁵⁶) or meets the endomorphism case ({@code S ≡ −λ^e·d·2^TOP}),
     * and their neighbours.
     */
    @Test
    void lastWindowSpecialCasesMatchBouncyCastle() {
        BigInteger top = BigInteger.ONE.shiftLeft(TOP);
        BigInteger lambda = ConstantTimeGlvTest.LAMBDA;
        int hits = 0;
        int topBits = 256 - TOP; // the groups above bit 255 are zero
        for (int high = 0; high < (1 << topBits); high++) {
            int d = 2 * high - (2 * ENTRIES - 1);
            BigInteger digitPoint = BigInteger.valueOf(d).multiply(top);
            // S ≡ c·D with D = d·2²⁵⁵ the last summand: k ≡ (1 + c)·D
            for (BigInteger c : new BigInteger[] {BigInteger.ONE, N.subtract(BigInteger.ONE), lambda.negate(),
                    lambda.multiply(lambda).negate(), lambda, lambda.multiply(lambda)}) {
                BigInteger k = BigInteger.ONE.add(c).multiply(digitPoint).mod(N);
                int[] v = ConstantTimeComb.recode(limbs(k));
                if (2 * ConstantTimeComb.group(v, WINDOWS - 1) - (2 * ENTRIES - 1) == d) {
                    hits++;
                }
                for (BigInteger kk : new BigInteger[] {k, k.add(BigInteger.ONE).mod(N), k.subtract(BigInteger.ONE).mod(N)}) {
                    if (kk.signum() == 0) {
                        assertThat(ConstantTimeComb.FOR_G.multiplyAffine(limbs(kk))).isNull();
                    } else {
                        assertProduct(kk);
                    }
                }
            }
        }
        assertThat(hits).as("crafted scalars that really have the assumed top digit").isPositive();
    }

    /** {@code T[i][j] = (2j + 1)·2^(W·i)·G}. */
    @Test
    void tableIsOddMultiplesOfWindowPowersOfG() {
        for (int i = 0; i < WINDOWS; i++) {
            for (int j = 0; j < ENTRIES; j++) {
                ECPoint expected = Secp256k1.mulPublicBc(Secp256k1.G, BigInteger.valueOf(2L * j + 1).shiftLeft(W * i).mod(N));
                assertThat(affine(ConstantTimeComb.FOR_G.entry(i, j)).getEncoded(false)).as("T[%d][%d]", i, j)
                        .isEqualTo(expected.getEncoded(false));
            }
        }
    }

    /**
     * A table for another fixed base (the Pedersen H is one, {@link PublicPoint#withFixedBaseTable}): the
     * point stays equal to the plain one, and every secret multiple through the table matches BouncyCastle
     * and our GLV multiplier on the plain point, edge scalars included.
     */
    @Test
    void fixedBaseTableOfAnotherPointGivesTheSameProducts() {
        PublicPoint plain = PublicPoint.fromUncompressed(Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger("5ec2e7", 16)).getEncoded(false));
        PublicPoint fixed = plain.withFixedBaseTable();
        assertThat(fixed).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(fixed.toBytes()).isEqualTo(plain.toBytes());
        assertThat(fixed.fixedBaseTable()).isNotNull();
        assertThat(plain.fixedBaseTable()).isNull();
        List<BigInteger> scalars = new ArrayList<>(edgeScalars());
        Random rnd = new Random(0xF1BA5EL);
        for (int i = 0; i < 200; i++) {
            scalars.add(new BigInteger(256, rnd).mod(N));
        }
        for (BigInteger k : scalars) {
            if (k.signum() == 0) continue;
            SecretScalar s = SecretScalar.fromBytes(Scalar.toBytes32(k));
            PublicPoint viaTable = s.mul(fixed);
            assertThat(viaTable).as("k = %s", k.toString(16)).isEqualTo(s.mul(plain));
            assertThat(viaTable.toUncompressed()).isEqualTo(Secp256k1.mulPublicBc(plain.ecPoint(), k).getEncoded(false));
            s.destroy();
        }
        assertThat(new ConstantTimeComb(plain.ecPoint()).multiplyAffine(new int[8])).as("k = 0").isNull();
    }
}
