package dev.secretstore.crypto;

import org.bouncycastle.math.ec.ECPoint;

/**
 * A mutable accumulator for sums of <em>public</em> points and public-scalar multiples, which may pass
 * through or end at infinity (e.g. while checking a commitment equation against hostile input).
 * Variable time; never use it with a secret scalar.
 */
public final class PointSum {
    private ECPoint acc = Secp256k1.CURVE.getInfinity();

    public PointSum add(PublicPoint p) {
        acc = acc.add(p.ecPoint());
        return this;
    }

    public PointSum subtract(PublicPoint p) {
        acc = acc.subtract(p.ecPoint());
        return this;
    }

    /** acc += k·P (public k). */
    public PointSum addMul(Scalar k, PublicPoint p) {
        if (!k.isZero()) {
            acc = acc.add(Secp256k1.mulPublic(p.ecPoint(), k.toBigInteger()));
        }
        return this;
    }

    /**
     * acc += a·P + b·Q (public scalars and points) with one interleaved double multiplication
     * ({@link VarTimeStrauss}: GLV split of both scalars, wNAF, one shared doubling chain, static
     * tables for G), the shape of every verification equation (z·G + e·X, s·G + c·Y, u1·G + u2·R).
     * Variable time. Either scalar may be zero.
     */
    public PointSum addMuls(Scalar a, PublicPoint p, Scalar b, PublicPoint q) {
        if (a.isZero()) {
            return addMul(b, q);
        }
        if (b.isZero()) {
            return addMul(a, p);
        }
        acc = acc.add(Secp256k1.sumOfTwoPublic(p.ecPoint(), a.toBigInteger(), q.ecPoint(), b.toBigInteger()));
        return this;
    }

    /** acc += a·G + b·Q (public scalars), one interleaved double multiplication; see {@link #addMuls}. */
    public PointSum addMulGAndMul(Scalar a, Scalar b, PublicPoint q) {
        PublicPoint sum = CurveBackends.active().mulGAndMulPublic(a, b, q);
        if (sum != null) {
            acc = acc.add(sum.ecPoint());
        }
        return this;
    }

    /**
     * acc += Σ k_i·P_i (public scalars and points) with one interleaved multi-scalar multiplication
     * ({@link VarTimeStrauss}: one doubling chain for all terms), much faster than separate products for
     * commitment-vector evaluation. Variable time.
     */
    public PointSum addSumOfProducts(java.util.List<Scalar> ks, java.util.List<PublicPoint> ps) {
        if (ks.size() != ps.size()) {
            throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, "scalar and point lists differ in length");
        }
        if (ks.isEmpty()) {
            return this;
        }
        // A term with coefficient 1 (x^0·V_0 of every commitment evaluation) is an addition, and a zero one
        // nothing: only the others cost a table in the interleaved multiplication.
        java.util.List<ECPoint> points = new java.util.ArrayList<>(ps.size());
        java.util.List<java.math.BigInteger> scalars = new java.util.ArrayList<>(ks.size());
        for (int i = 0; i < ks.size(); i++) {
            Scalar k = ks.get(i);
            if (k.equals(Scalar.ONE)) {
                acc = acc.add(ps.get(i).ecPoint());
            } else if (!k.isZero()) {
                points.add(ps.get(i).ecPoint());
                scalars.add(k.toBigInteger());
            }
        }
        if (!points.isEmpty()) {
            acc = acc.add(Secp256k1.sumOfProductsPublic(scalars.toArray(new java.math.BigInteger[0]), points.toArray(new ECPoint[0])));
        }
        return this;
    }

    /** acc += k·G (public k). */
    public PointSum addMulG(Scalar k) {
        return addMul(k, PublicPoint.generator());
    }

    public boolean isInfinity() {
        return acc.isInfinity();
    }

    /** The sum as a point; throws {@code ZERO_RESULT} if it is infinity. */
    public PublicPoint toPoint() {
        return PublicPoint.of(acc);
    }

    /** True iff the accumulated sum equals {@code p}. */
    public boolean equalsPoint(PublicPoint p) {
        return !acc.isInfinity() && acc.normalize().equals(p.ecPoint());
    }
}
