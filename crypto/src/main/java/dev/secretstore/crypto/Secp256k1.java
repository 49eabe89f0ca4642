package dev.secretstore.crypto;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The one shared secp256k1 curve instance and the two multiplication paths the project allows.
 *
 * <ul>
 *   <li>{@link #mulSecret(ECPoint, int[])}: secret scalar times any point. BouncyCastle's fixed-point
 *       comb multiplier, whose main loop reads its precomputed table through the curve's cache-safe
 *       (constant-time, full-scan) lookup and performs the same operations for every scalar. The
 *       table for G is built once; the table for another point is built from that point alone
 *       (public data) and cached on the point object. SEC-06.</li>
 *   <li>{@link #mulPublic(ECPoint, BigInteger)}: public scalar times public point, BouncyCastle's
 *       default (variable-time, GLV/wNAF) multiplier. Only for verification and commitments.</li>
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

    private static final FixedPointCombMultiplier COMB = new FixedPointCombMultiplier();

    static {
        // Build the comb table for G once, up front.
        COMB.multiply(G, BigInteger.ONE);
    }

    private Secp256k1() {}

    /** k·P for a secret k given as reduced limbs (constant time in k). Result may be infinity only if k = 0. */
    static ECPoint mulSecret(ECPoint point, int[] k) {
        BigInteger kb = new BigInteger(1, ModN.toBytes(k));
        return COMB.multiply(point, kb).normalize();
    }

    /**
     * k·P for a secret k by the constant-time GLV signed-digit multiplier ({@link ConstantTimeGlv});
     * P normalized and not infinity. Infinity only if k = 0.
     */
    static ECPoint mulSecretGlv(ECPoint point, int[] k) {
        long[][] xy = ConstantTimeGlv.multiplyAffine(point, k);
        if (xy == null) {
            return CURVE.getInfinity();
        }
        return CURVE.createPoint(new BigInteger(1, Fp26.toBytes(xy[0])), new BigInteger(1, Fp26.toBytes(xy[1])));
    }

    /** k·P for a secret k by BouncyCastle's fixed-point comb (constant time; builds a table per point). */
    static ECPoint mulSecretComb(ECPoint point, int[] k) {
        BigInteger kb = new BigInteger(1, ModN.toBytes(k));
        return COMB.multiply(point, kb).normalize();
    }

    /** k·P for public k and P (variable time). */
    static ECPoint mulPublic(ECPoint point, BigInteger k) {
        return point.multiply(k.mod(N)).normalize();
    }
}
