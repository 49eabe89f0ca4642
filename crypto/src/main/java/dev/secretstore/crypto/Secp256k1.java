package dev.secretstore.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The one shared secp256k1 curve instance and the multiplication paths the project allows.
 *
 * <ul>
 *   <li>{@link #mulSecret(ECPoint, int[])}: secret scalar times a point, constant time in the scalar
 *       (SEC-06). For G (and, through {@link #mulSecretFixedBase}, for a fixed base such as the Pedersen
 *       H), {@link ConstantTimeComb}: a table of 52 windows × 16 odd multiples, one full-scan masked lookup
 *       and one mixed addition per signed 5-bit digit, on {@link Fp52}. For any other point, {@link ConstantTimeGlv}: the
 *       GLV split with signed fixed-window digits, full-scan masked table lookups and complete
 *       addition formulas on branch-free field arithmetic ({@link Fp52}); no per-point table, so a fresh
 *       point (ECDH, ECIES, DLEQ) costs no table build.</li>
 *   <li>{@link #mulPublic(ECPoint, BigInteger)} and {@link #sumOfTwoPublic}: public scalars times
 *       public points, variable time ({@link VarTimeStrauss}: GLV, wNAF, static tables for G). Only
 *       for verification and commitments; {@link PointSum} sums of products use the same interleaved
 *       multi-scalar multiplication.</li>
 * </ul>
 */
public final class Secp256k1 {
    private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");

    public static final ECCurve CURVE = PARAMS.getCurve();
    public static final ECPoint G = PARAMS.getG().normalize();
    /** Group order n. */
    public static final BigInteger N = PARAMS.getN();
    /** Field prime p. */
    public static final BigInteger P = CURVE.getField().getCharacteristic();
    /** ⌊n/2⌋, the low-s bound. */
    public static final BigInteger HALF_N = N.shiftRight(1);

    /** BouncyCastle's comb: the previous k·G path, kept for the tests' and benchmarks' comparisons only. */
    private static final FixedPointCombMultiplier COMB = new FixedPointCombMultiplier();

    private Secp256k1() {}

    /** k·P for a secret k given as reduced limbs (constant time in k). Result may be infinity only if k = 0. */
    static ECPoint mulSecret(ECPoint point, int[] k) {
        return point == G ? mulSecretG(k) : mulSecretGlv(point, k);
    }

    /** k·G for a secret k by the constant-time fixed-base multiplier ({@link ConstantTimeComb}). Infinity only if k = 0. */
    static ECPoint mulSecretG(int[] k) {
        return mulSecretFixedBase(ConstantTimeComb.FOR_G, k);
    }

    /** k·B for a secret k and a fixed base B with its comb table ({@link PublicPoint#withFixedBaseTable}). Infinity only if k = 0. */
    static ECPoint mulSecretFixedBase(ConstantTimeComb table, int[] k) {
        return toEcPoint(table.multiplyAffine(k));
    }

    /** An affine {@code {x, y}} from the Fp52 multipliers (null: infinity) as a BouncyCastle point; wipes the limbs. */
    private static ECPoint toEcPoint(long[][] xy) {
        if (xy == null) {
            return CURVE.getInfinity();
        }
        ECPoint p = CURVE.createPoint(new BigInteger(1, Fp52.toBytes(xy[0])), new BigInteger(1, Fp52.toBytes(xy[1])));
        Arrays.fill(xy[0], 0);
        Arrays.fill(xy[1], 0);
        return p;
    }

    /**
     * The 32-byte big-endian x-coordinate of k·P for a secret k (constant time in k), or null if the
     * product is infinity (k = 0). Goes through no {@code BigInteger} on the GLV path (ECDH's shared secret).
     */
    static byte[] mulSecretX(ECPoint point, int[] k) {
        long[][] xy = point == G ? ConstantTimeComb.FOR_G.multiplyAffine(k) : ConstantTimeGlv.multiplyAffine(point, k);
        if (xy == null) {
            return null;
        }
        byte[] x = Fp52.toBytes(xy[0]);
        Arrays.fill(xy[0], 0);
        Arrays.fill(xy[1], 0);
        return x;
    }

    /**
     * k·P for a secret k by the constant-time GLV signed-digit multiplier ({@link ConstantTimeGlv});
     * P normalized and not infinity. Infinity only if k = 0.
     */
    static ECPoint mulSecretGlv(ECPoint point, int[] k) {
        return toEcPoint(ConstantTimeGlv.multiplyAffine(point, k));
    }

    /**
     * k·P for a secret k by BouncyCastle's fixed-point comb (constant time; builds a table per point).
     * No production path calls it any more: the tests and benchmarks compare against it.
     */
    static ECPoint mulSecretComb(ECPoint point, int[] k) {
        BigInteger kb = new BigInteger(1, ModN.toBytes(k));
        return COMB.multiply(point, kb).normalize();
    }

    /** k·P for public k and P (variable time, {@link VarTimeStrauss}). */
    static ECPoint mulPublic(ECPoint point, BigInteger k) {
        return sumOfProductsPublic(new BigInteger[] {k}, new ECPoint[] {point});
    }

    /** k·P for public k and P by BouncyCastle's default multiplier (GLV/wNAF, variable time); the tests' oracle. */
    static ECPoint mulPublicBc(ECPoint point, BigInteger k) {
        return point.multiply(k.mod(N)).normalize();
    }

    /** a·P + b·Q for public scalars and points (variable time, one shared doubling chain). */
    static ECPoint sumOfTwoPublic(ECPoint p, BigInteger a, ECPoint q, BigInteger b) {
        return sumOfProductsPublic(new BigInteger[] {a, b}, new ECPoint[] {p, q});
    }

    /**
     * Σ k_i·P_i for public scalars and points (variable time) by {@link VarTimeStrauss}: GLV split,
     * wNAF, one shared doubling chain, static tables for G. Points need not be normalized; infinity
     * is returned as BouncyCastle's infinity.
     */
    static ECPoint sumOfProductsPublic(BigInteger[] ks, ECPoint[] points) {
        int[][] limbs = new int[ks.length][];
        ECPoint[] affine = new ECPoint[points.length];
        for (int i = 0; i < ks.length; i++) {
            limbs[i] = ModN.fromBytes(Scalar.toBytes32(ks[i].mod(N)));
            affine[i] = points[i] == G ? G : points[i].normalize();
        }
        return toEcPoint(VarTimeStrauss.sumOfProducts(limbs, affine));
    }
}
