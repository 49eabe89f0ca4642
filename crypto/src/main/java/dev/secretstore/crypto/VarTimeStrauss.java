package dev.secretstore.crypto;

import org.bouncycastle.math.ec.ECPoint;

/**
 * Variable-time {@code Σ k_i·P_i} for <em>public</em> scalars and points (verification equations,
 * commitments; never a secret, SEC-06): Strauss–Shamir interleaving with the GLV endomorphism, as in
 * libsecp256k1's {@code secp256k1_ecmult}, on {@link Fp52} arithmetic.
 *
 * <ul>
 *   <li>Each scalar is split {@code k = k1 + λ·k2} ({@link ConstantTimeGlv#splitLambda}), both halves
 *       below 2¹²⁸ in absolute value; a negative half negates its table's y instead.</li>
 *   <li>Each half is recoded in width-w NAF (libsecp256k1's {@code secp256k1_ecmult_wnaf}): non-zero
 *       digits are odd, below 2^(w−1) in absolute value, and at least w apart.</li>
 *   <li>Tables of odd multiples in affine coordinates: for G, 64 entries (w = 8) built once; for any
 *       other point, 16 entries (w = 6) built per call with one inversion. The λ-tables are the same
 *       points with {@code x·β}.</li>
 *   <li>One shared chain of about 129 doublings; an addition wherever a digit is non-zero. The
 *       additions handle every special case (infinity, equal points, opposite points) by branching,
 *       which is allowed here because every value is public.</li>
 * </ul>
 */
final class VarTimeStrauss {
    private static final int WINDOW_G = 8;
    private static final int WINDOW_P = 6;
    /** Split halves are below 2¹²⁸ in absolute value; the wNAF of such a value has at most 129 digits. */
    private static final int WNAF_BITS = 129;

    private static final long[][] G_X = new long[1 << (WINDOW_G - 2)][];
    private static final long[][] G_Y = new long[1 << (WINDOW_G - 2)][];
    private static final long[][] G_LAMBDA_X = new long[1 << (WINDOW_G - 2)][];
    private static final long[] BETA = Fp52.create();

    static {
        Fp52.fromBytes(BETA, Hex.decode(ConstantTimeGlv.BETA_HEX, 32));
        long[] gx = Fp52.create();
        long[] gy = Fp52.create();
        Fp52.fromBytes(gx, Secp256k1.G.getAffineXCoord().getEncoded());
        Fp52.fromBytes(gy, Secp256k1.G.getAffineYCoord().getEncoded());
        oddMultiplesAffine(gx, gy, G_X, G_Y);
        lambdaTable(G_X, G_LAMBDA_X);
    }

    private VarTimeStrauss() {}

    /**
     * {@code Σ scalars[i]·points[i]} as an affine {@code {x, y}} (normalized), or null for infinity.
     * Scalars are reduced limbs (any may be zero); points are normalized, valid and not infinity.
     */
    static long[][] sumOfProducts(int[][] scalars, ECPoint[] points) {
        int terms = scalars.length;
        int[][] wnaf = new int[2 * terms][];
        long[][][] tabX = new long[2 * terms][][];
        long[][][] tabY = new long[2 * terms][][];
        int top = 0;
        for (int i = 0; i < terms; i++) {
            boolean isG = points[i] == Secp256k1.G;
            int window = isG ? WINDOW_G : WINDOW_P;
            long[][] px;
            long[][] py;
            long[][] lx;
            if (isG) {
                px = G_X;
                py = G_Y;
                lx = G_LAMBDA_X;
            } else {
                int size = 1 << (window - 2);
                px = new long[size][];
                py = new long[size][];
                lx = new long[size][];
                long[] ax = Fp52.create();
                long[] ay = Fp52.create();
                Fp52.fromBytes(ax, points[i].getAffineXCoord().getEncoded());
                Fp52.fromBytes(ay, points[i].getAffineYCoord().getEncoded());
                oddMultiplesAffine(ax, ay, px, py);
                lambdaTable(px, lx);
            }
            int[][] split = ConstantTimeGlv.splitLambda(scalars[i]);
            for (int half = 0; half < 2; half++) {
                int[] k = split[half];
                boolean negative = isAboveHalfN(k);
                if (negative) {
                    k = ModN.negate(k);
                }
                int[] digits = wnaf(k, window);
                if (negative) {
                    for (int b = 0; b < digits.length; b++) {
                        digits[b] = -digits[b];
                    }
                }
                int slot = 2 * i + half;
                wnaf[slot] = digits;
                tabX[slot] = half == 0 ? px : lx;
                tabY[slot] = py;
                for (int b = digits.length - 1; b >= 0; b--) {
                    if (digits[b] != 0) {
                        top = Math.max(top, b + 1);
                        break;
                    }
                }
            }
        }

        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        r.inf = 1;
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] negY = Fp52.create();
        for (int b = top - 1; b >= 0; b--) {
            if (r.inf == 0) {
                ConstantTimeGlv.doubleJac(r, w);
            }
            for (int s = 0; s < wnaf.length; s++) {
                int d = wnaf[s][b];
                if (d == 0) {
                    continue;
                }
                int index = (Math.abs(d) - 1) >>> 1;
                long[] y = tabY[s][index];
                if (d < 0) {
                    Fp52.negate(negY, y, 1);
                    y = negY;
                }
                add(r, tabX[s][index], y, null, w);
            }
        }
        if (r.inf != 0) {
            return null;
        }
        return ConstantTimeGlv.toAffine(r);
    }

    private static void lambdaTable(long[][] px, long[][] lx) {
        for (int i = 0; i < px.length; i++) {
            lx[i] = Fp52.create();
            Fp52.mul(lx[i], px[i], BETA);
        }
    }

    /** ⌊n/2⌋, little-endian limbs. */
    private static final int[] HALF_N = {
        0x681B20A0, 0xDFE92F46, 0x57A4501D, 0x5D576E73, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x7FFFFFFF
    };

    /** True iff the reduced value k exceeds ⌊n/2⌋, i.e. it stands for the negative k − n (public, variable time). */
    static boolean isAboveHalfN(int[] k) {
        for (int i = 7; i >= 0; i--) {
            int c = Integer.compareUnsigned(k[i], HALF_N[i]);
            if (c != 0) {
                return c > 0;
            }
        }
        return false;
    }

    /**
     * Width-w NAF of k (non-negative, below 2¹²⁹), libsecp256k1's {@code secp256k1_ecmult_wnaf}:
     * digit i is 0 or odd with |digit| < 2^(w−1), and k = Σ digit_i·2^i.
     */
    static int[] wnaf(int[] k, int w) {
        int[] out = new int[WNAF_BITS + 1];
        int carry = 0;
        int bit = 0;
        while (bit < out.length) {
            if (bits(k, bit, 1) == carry) {
                bit++;
                continue;
            }
            int now = Math.min(w, out.length - bit);
            int word = bits(k, bit, now) + carry;
            carry = (word >>> (w - 1)) & 1;
            word -= carry << w;
            out[bit] = word;
            bit += now;
        }
        if (carry != 0) {
            throw new IllegalStateException("wNAF overflow"); // cannot happen for k < 2¹²⁹
        }
        return out;
    }

    private static int bits(int[] k, int pos, int count) {
        int word = pos >>> 5;
        int shift = pos & 31;
        long v = (k[word] & 0xFFFFFFFFL) >>> shift;
        if (shift + count > 32 && word < 7) {
            v |= (k[word + 1] & 0xFFFFFFFFL) << (32 - shift);
        }
        return (int) (v & ((1L << count) - 1));
    }

    /**
     * r = r + (bx, by) for an affine point, with every special case (libsecp256k1's
     * {@code secp256k1_gej_add_ge_var}): r = ∞ gives b, r = b doubles, r = −b gives ∞. If {@code rzr}
     * is not null it receives Z3/Z1 (the table builder needs it; r is never ∞ there and never meets
     * a special case).
     */
    private static void add(ConstantTimeGlv.Jac r, long[] bx, long[] by, long[] rzr, ConstantTimeGlv.Scratch w) {
        if (r.inf != 0) {
            Fp52.copy(r.x, bx);
            Fp52.copy(r.y, by);
            java.util.Arrays.fill(r.z, 0);
            r.z[0] = 1;
            r.inf = 0;
            return;
        }
        long[] z12 = w.zz, u1 = w.u1, u2 = w.u2, s1 = w.s1, s2 = w.s2, h = w.m, i = w.n, h2 = w.q, h3 = w.rr, t = w.t;
        Fp52.sqr(z12, r.z);
        Fp52.copy(u1, r.x);
        Fp52.mul(u2, bx, z12);
        Fp52.copy(s1, r.y);
        Fp52.mul(s2, by, z12);
        Fp52.mul(s2, s2, r.z);
        Fp52.negate(h, u1, 4);
        Fp52.add(h, u2);
        Fp52.negate(i, s2, 1);
        Fp52.add(i, s1);
        if (Fp52.normalizesToZero(h) != 0) {
            if (rzr != null) {
                throw new IllegalStateException("odd-multiples table hit an exceptional addition"); // impossible, see above
            }
            if (Fp52.normalizesToZero(i) != 0) {
                ConstantTimeGlv.doubleJac(r, w); // r = b
            } else {
                r.inf = 1; // r = −b
                java.util.Arrays.fill(r.z, 0);
            }
            return;
        }
        if (rzr != null) {
            Fp52.copy(rzr, h);
        }
        Fp52.mul(r.z, r.z, h);
        Fp52.sqr(h2, h);
        Fp52.negate(h2, h2, 1);
        Fp52.mul(h3, h2, h);
        Fp52.mul(t, u1, h2);
        Fp52.sqr(r.x, i);
        Fp52.add(r.x, h3);
        Fp52.add(r.x, t);
        Fp52.add(r.x, t);
        Fp52.add(t, r.x);
        Fp52.mul(r.y, t, i);
        Fp52.mul(h3, h3, s1);
        Fp52.add(r.y, h3);
    }

    /**
     * Odd multiples {@code (2i+1)·A}, i = 0 … {@code preX.length − 1}, as affine coordinates on the
     * isomorphic curve that shares one Z for all of them (libsecp256k1's
     * {@code secp256k1_ecmult_odd_multiples_table} and {@code secp256k1_ge_table_set_globalz});
     * {@code globalZ} maps back. Depends on A only (public), so variable time is allowed. Also
     * builds the table of the public point for {@link ConstantTimeGlv}.
     */
    static void oddMultiplesGlobalZ(long[] ax, long[] ay, long[][] preX, long[][] preY, long[] globalZ) {
        int size = preX.length;
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        ConstantTimeGlv.Jac d = new ConstantTimeGlv.Jac();
        Fp52.copy(d.x, ax);
        Fp52.copy(d.y, ay);
        d.z[0] = 1;
        ConstantTimeGlv.doubleJac(d, w); // 2A, not infinity (secp256k1 has no point of order 2)
        long[] c = d.z;   // C: the isomorphism scale

        long[][] zr = new long[size][];
        // pre[0] = A on the curve scaled by C: (x·C², y·C³)
        long[] c2 = Fp52.create();
        long[] c3 = Fp52.create();
        Fp52.sqr(c2, c);
        Fp52.mul(c3, c2, c);
        preX[0] = Fp52.create();
        preY[0] = Fp52.create();
        Fp52.mul(preX[0], ax, c2);
        Fp52.mul(preY[0], ay, c3);
        zr[0] = c.clone();

        ConstantTimeGlv.Jac ai = new ConstantTimeGlv.Jac();
        Fp52.copy(ai.x, preX[0]);
        Fp52.copy(ai.y, preY[0]);
        ai.z[0] = 1;
        for (int i = 1; i < size; i++) {
            zr[i] = Fp52.create();
            add(ai, d.x, d.y, zr[i], w); // never a special case: (2i−1)A ≠ ±2A for i < n/2
            preX[i] = ai.x.clone();
            preY[i] = ai.y.clone();
        }
        Fp52.mul(globalZ, ai.z, c);

        // bring every entry to the last entry's Z
        int i = size - 1;
        Fp52.normalizeWeak(preY[i]);
        Fp52.normalizeWeak(preX[i]);
        long[] zs = zr[i].clone();
        long[] zs2 = Fp52.create();
        long[] zs3 = Fp52.create();
        while (i > 0) {
            if (i != size - 1) {
                Fp52.mul(zs, zs, zr[i]);
            }
            i--;
            Fp52.sqr(zs2, zs);
            Fp52.mul(zs3, zs2, zs);
            Fp52.mul(preX[i], preX[i], zs2);
            Fp52.mul(preY[i], preY[i], zs3);
        }
    }

    /** {@link #oddMultiplesGlobalZ} made truly affine with one inversion (public data). */
    static void oddMultiplesAffine(long[] ax, long[] ay, long[][] preX, long[][] preY) {
        long[] z = Fp52.create();
        oddMultiplesGlobalZ(ax, ay, preX, preY, z);
        long[] zi = Fp52.create();
        long[] zi2 = Fp52.create();
        Fp52.inv(zi, z);
        Fp52.sqr(zi2, zi);
        Fp52.mul(zi, zi2, zi);
        for (int i = 0; i < preX.length; i++) {
            Fp52.mul(preX[i], preX[i], zi2);
            Fp52.mul(preY[i], preY[i], zi);
        }
    }
}
