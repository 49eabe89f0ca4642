package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * The public (variable-time) Strauss/GLV multiplier against BouncyCastle's multipliers, on seeded
 * random inputs, the edge scalars of {@link ConstantTimeGlvTest#edgeScalars()}, G both as the shared
 * object (static tables) and as a freshly decoded copy, and sums that coincide or cancel.
 */
class VarTimeStraussTest {
    private static final BigInteger N = Secp256k1.N;

    private static ECPoint randomPoint(Random rnd) {
        return Secp256k1.mulPublicBc(Secp256k1.G, new BigInteger(256, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
    }

    private static ECPoint freshG() {
        return Secp256k1.CURVE.decodePoint(Secp256k1.G.getEncoded(false));
    }

    private static void assertSum(BigInteger a, ECPoint p, BigInteger b, ECPoint q) {
        ECPoint expected = ECAlgorithms.sumOfTwoMultiplies(p, a.mod(N), q, b.mod(N)).normalize();
        ECPoint actual = Secp256k1.sumOfTwoPublic(p, a, q, b);
        assertThat(actual.isInfinity()).as("infinity, a=%s b=%s", a.toString(16), b.toString(16)).isEqualTo(expected.isInfinity());
        if (!expected.isInfinity()) {
            assertThat(actual.getEncoded(false)).as("a=%s b=%s", a.toString(16), b.toString(16)).isEqualTo(expected.getEncoded(false));
        }
    }

    private static void assertProduct(BigInteger k, ECPoint p) {
        ECPoint expected = Secp256k1.mulPublicBc(p, k);
        ECPoint actual = Secp256k1.mulPublic(p, k);
        assertThat(actual.isInfinity()).isEqualTo(expected.isInfinity());
        if (!expected.isInfinity()) {
            assertThat(actual.getEncoded(false)).as("k=%s", k.toString(16)).isEqualTo(expected.getEncoded(false));
        }
    }

    @Test
    void wnafDigitsAreOddSparseAndSumToTheScalar() {
        Random rnd = new Random(0x57A_0001L);
        for (int w : new int[] {6, 8}) {
            for (int i = 0; i < 500; i++) {
                BigInteger k = switch (i) {
                    case 0 -> BigInteger.ZERO;
                    case 1 -> BigInteger.ONE;
                    case 2 -> BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
                    case 3 -> BigInteger.ONE.shiftLeft(127);
                    default -> new BigInteger(128, rnd);
                };
                int[] digits = VarTimeStrauss.wnaf(ModN.fromBytes(Scalar.toBytes32(k)), w);
                BigInteger sum = BigInteger.ZERO;
                int lastNonZero = -w;
                for (int b = 0; b < digits.length; b++) {
                    int d = digits[b];
                    if (d != 0) {
                        assertThat(d & 1).as("odd").isEqualTo(1);
                        assertThat(Math.abs(d)).isLessThan(1 << (w - 1));
                        assertThat(b - lastNonZero).as("spacing").isGreaterThanOrEqualTo(w);
                        lastNonZero = b;
                    }
                    sum = sum.add(BigInteger.valueOf(d).shiftLeft(b));
                }
                assertThat(sum).isEqualTo(k);
            }
        }
    }

    @Test
    void singleProductsMatchBouncyCastle() {
        Random rnd = new Random(0x57A_0002L);
        for (BigInteger k : ConstantTimeGlvTest.edgeScalars()) {
            assertProduct(k, Secp256k1.G);
            assertProduct(k, freshG());
            assertProduct(k, randomPoint(rnd));
        }
        for (int i = 0; i < 200; i++) {
            assertProduct(new BigInteger(256, rnd).mod(N), i % 2 == 0 ? Secp256k1.G : randomPoint(rnd));
        }
    }

    @Test
    void doubleProductsMatchBouncyCastle() {
        Random rnd = new Random(0x57A_0003L);
        List<BigInteger> edges = ConstantTimeGlvTest.edgeScalars();
        for (int i = 0; i < edges.size(); i++) {
            BigInteger a = edges.get(i);
            BigInteger b = edges.get((i * 7 + 3) % edges.size());
            assertSum(a, Secp256k1.G, b, randomPoint(rnd));
            assertSum(a, randomPoint(rnd), b, randomPoint(rnd));
        }
        for (int i = 0; i < 200; i++) {
            BigInteger a = new BigInteger(256, rnd).mod(N);
            BigInteger b = new BigInteger(256, rnd).mod(N);
            assertSum(a, i % 3 == 0 ? freshG() : Secp256k1.G, b, randomPoint(rnd));
            assertSum(a, randomPoint(rnd), b, randomPoint(rnd));
        }
    }

    @Test
    void coincidingAndCancellingProducts() {
        Random rnd = new Random(0x57A_0004L);
        for (int i = 0; i < 30; i++) {
            ECPoint p = randomPoint(rnd);
            BigInteger a = new BigInteger(256, rnd).mod(N);
            BigInteger k = new BigInteger(256, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
            ECPoint kp = Secp256k1.mulPublicBc(p, k);
            assertSum(a, p, a, p); // 2a·P: the two halves' digits meet in the same additions
            assertSum(a, p, N.subtract(a), p); // infinity
            assertSum(a, p, a, p.negate().normalize()); // infinity
            assertSum(a, p, BigInteger.ONE, Secp256k1.mulPublicBc(p, a).negate().normalize()); // a·P − a·P
            assertSum(BigInteger.ONE, kp, N.subtract(k), p); // k·P − k·P
            assertSum(a.multiply(k).negate(), Secp256k1.G, a, Secp256k1.mulPublicBc(Secp256k1.G, k)); // through the G tables
            assertSum(a, Secp256k1.G, a, freshG()); // G's static table and a fresh G table
            assertSum(BigInteger.ZERO, p, a, p);
            assertSum(BigInteger.ZERO, p, BigInteger.ZERO, p);
        }
    }
}
