package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * {@link PointSum#addMuls}, {@link PointSum#addMulGAndMul} (one interleaved double multiplication)
 * and {@link PointSum#addMul} against BouncyCastle's multiplier, on seeded random inputs and on the
 * cases where the two products coincide, cancel, or one scalar is zero.
 */
class PointSumTest {
    private static final BigInteger N = Secp256k1.N;

    private static Scalar scalar(Random rnd) {
        return Scalar.of(new BigInteger(256, rnd));
    }

    private static PublicPoint point(Random rnd) {
        return PublicPoint.generator().mul(Scalar.of(new BigInteger(256, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE)));
    }

    /** The oracle: the two products by BouncyCastle's own multiplier, added (independent of VarTimeStrauss). */
    private static ECPoint separately(Scalar a, PublicPoint p, Scalar b, PublicPoint q) {
        return Secp256k1.mulPublicBc(p.ecPoint(), a.toBigInteger()).add(Secp256k1.mulPublicBc(q.ecPoint(), b.toBigInteger())).normalize();
    }

    private static void assertSame(ECPoint expected, PointSum actual) {
        assertThat(actual.isInfinity()).isEqualTo(expected.isInfinity());
        if (!expected.isInfinity()) {
            assertThat(actual.toPoint()).isEqualTo(PublicPoint.of(expected));
        }
    }

    @Test
    void randomDoubleMultiplicationsMatchSeparateProducts() {
        Random rnd = new Random(0x5A3_0001L);
        for (int i = 0; i < 300; i++) {
            Scalar a = scalar(rnd);
            Scalar b = scalar(rnd);
            PublicPoint p = i % 3 == 0 ? PublicPoint.generator() : point(rnd);
            PublicPoint q = point(rnd);
            assertSame(separately(a, p, b, q), new PointSum().addMuls(a, p, b, q));
            assertSame(separately(a, PublicPoint.generator(), b, q), new PointSum().addMulGAndMul(a, b, q));
            assertSame(separately(a, p, Scalar.ZERO, q), new PointSum().addMul(a, p));
        }
    }

    @Test
    void degenerateCombinations() {
        Random rnd = new Random(0x5A3_0002L);
        Scalar one = Scalar.ONE;
        Scalar minusOne = Scalar.ONE.negate();
        for (int i = 0; i < 20; i++) {
            PublicPoint p = point(rnd);
            Scalar a = scalar(rnd);
            List<Object[]> cases = List.of(
                    new Object[] {a, p, a, p},                       // 2a·P
                    new Object[] {a, p, a.negate(), p},              // infinity
                    new Object[] {a, p, a, p.negate()},              // infinity
                    new Object[] {one, p, minusOne, p},              // infinity
                    new Object[] {Scalar.ZERO, p, a, point(rnd)},    // one product
                    new Object[] {a, p, Scalar.ZERO, point(rnd)},
                    new Object[] {Scalar.ZERO, p, Scalar.ZERO, p},   // empty
                    new Object[] {Scalar.of(N.subtract(BigInteger.ONE)), p, one, p},
                    new Object[] {a, p, one, p.mul(a).negate()});    // a·P − a·P
            for (Object[] c : cases) {
                Scalar ca = (Scalar) c[0];
                PublicPoint cp = (PublicPoint) c[1];
                Scalar cb = (Scalar) c[2];
                PublicPoint cq = (PublicPoint) c[3];
                assertSame(separately(ca, cp, cb, cq), new PointSum().addMuls(ca, cp, cb, cq));
            }
            // a·G + b·(k·G) with a = −b·k: infinity through the G-table path
            Scalar k = scalar(rnd).add(Scalar.ONE);
            Scalar b = scalar(rnd).add(Scalar.ONE);
            PublicPoint kg = PublicPoint.generator().mul(k);
            assertThat(new PointSum().addMulGAndMul(b.mul(k).negate(), b, kg).isInfinity()).isTrue();
        }
    }

    @Test
    void accumulatesOntoExistingSum() {
        Random rnd = new Random(0x5A3_0003L);
        PublicPoint r = point(rnd);
        Scalar a = scalar(rnd);
        Scalar b = scalar(rnd);
        PublicPoint q = point(rnd);
        ECPoint expected = separately(a, PublicPoint.generator(), b, q).subtract(r.ecPoint()).normalize();
        assertSame(expected, new PointSum().subtract(r).addMulGAndMul(a, b, q));
    }

    /** Σ k_i·P_i with coefficients 1 and 0 among the others (they skip the multiplication) against separate products. */
    @Test
    void sumOfProductsWithUnitAndZeroCoefficients() {
        Random rnd = new Random(0x5111);
        for (int round = 0; round < 30; round++) {
            List<PublicPoint> ps = List.of(point(rnd), point(rnd), point(rnd), point(rnd));
            List<Scalar> ks = List.of(Scalar.ONE, scalar(rnd), round % 2 == 0 ? Scalar.ZERO : Scalar.ONE, scalar(rnd));
            ECPoint expected = Secp256k1.CURVE.getInfinity();
            for (int i = 0; i < ps.size(); i++) {
                expected = expected.add(Secp256k1.mulPublicBc(ps.get(i).ecPoint(), ks.get(i).toBigInteger()));
            }
            assertSame(expected.normalize(), new PointSum().addSumOfProducts(ks, ps));
        }
        PublicPoint p = point(rnd);
        assertSame(Secp256k1.CURVE.getInfinity(), new PointSum().addSumOfProducts(List.of(Scalar.ONE, Scalar.ONE), List.of(p, p.negate())));
        assertSame(p.ecPoint(), new PointSum().addSumOfProducts(List.of(Scalar.ONE), List.of(p)));
        assertSame(Secp256k1.CURVE.getInfinity(), new PointSum().addSumOfProducts(List.of(Scalar.ZERO), List.of(p)));
    }
}
