package dev.secretstore.crypto;

import org.bouncycastle.math.ec.ECPoint;

/**
 * Constant-time variable-base multiplication {@code k·A} for a secret scalar k and a public point A,
 * a Java port of libsecp256k1's {@code secp256k1_ecmult_const} (signed-digit GLV, Hamburg's
 * "all bits are signs" recoding, effective-affine tables). Used by {@link Secp256k1#mulSecret} for
 * every point other than G (SEC-06).
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Recoding (constant time, {@link ModN} limbs).</b> {@code s = (k + K)/2 mod n} with
 *       {@code K = (2¹²⁹ − 1)(1 + λ) mod n}; split {@code s = s1 + λ·s2} with libsecp256k1's
 *       rounded-multiplication split ({@code g1}, {@code g2}, {@code −b1}, {@code −b2}); then
 *       {@code v1 = s1 + 2¹²⁸}, {@code v2 = s2 + 2¹²⁸}, both in {@code [0, 2¹²⁹)}. Reading each bit
 *       b of v as the sign {@code 2b − 1} gives {@code C(v, A) = (2v + 1 − 2¹³⁰)·A}, and the choice
 *       of K makes {@code C(v1, A) + C(v2, λA) = k·A}. Every 5-bit group then denotes an odd digit
 *       in {@code [−31, 31]}: no zero digit, no carries, no data-dependent recoding.</li>
 *   <li><b>Tables (public data only).</b> {@code 1A, 3A, …, 31A} in affine coordinates on an
 *       isomorphic curve sharing one Z ("global z"), and the same points with {@code x·β}, which are
 *       the multiples of {@code λA}. These depend only on A, so they are built by the variable-time
 *       code in {@link VarTimeStrauss#oddMultiplesGlobalZ}.</li>
 *   <li><b>Main loop.</b> 26 groups of 5 bits from the top; per group 5 doublings (none for the
 *       first), one addition from each table. Each entry is read by scanning all 16 entries with
 *       masked moves, and negated by a masked move, so no memory address depends on k.</li>
 *   <li><b>Exceptional cases.</b> The addition is libsecp256k1's {@code secp256k1_gej_add_ge}: one
 *       formula for addition and doubling (Brier–Joye), an alternative λ chosen by masked move when
 *       {@code y1 = −y2} with {@code x1 ≠ x2}, the "accumulator is infinity" case replaced by a
 *       masked move, and {@code a = −b} giving Z = 0. It is complete for a table point (never
 *       infinity) added to any Jacobian point, so no input needs a branch; intermediate infinities
 *       (possible for crafted k) are handled. The doubling keeps Z = 0 at infinity.</li>
 *   <li><b>Result.</b> Z is multiplied by the global z, inverted with BouncyCastle's constant-time
 *       safegcd and the point made affine. The only branch on the outcome is "result is infinity",
 *       which happens exactly when k = 0 (a public failure).</li>
 * </ol>
 *
 * <p>Field arithmetic is {@link Fp52} (branch-free 5×52-bit limbs). Magnitude annotations follow
 * libsecp256k1's (its {@code GEJ_X/Y_MAGNITUDE_MAX} = 4, {@code GEJ_Z} = 1).
 */
final class ConstantTimeGlv {
    private static final int GROUP_SIZE = 5;
    private static final int TABLE_SIZE = 1 << (GROUP_SIZE - 1); // 16 odd multiples
    private static final int GROUPS = (129 + GROUP_SIZE - 1) / GROUP_SIZE; // 26
    private static final int BITS = GROUPS * GROUP_SIZE; // 130
    private static final int GEJ_X_M = 4;
    private static final int GEJ_Y_M = 4;

    /** λ: λ·(x, y) = (β·x, y) on secp256k1 (λ³ ≡ 1 mod n, β³ ≡ 1 mod p). */
    static final String LAMBDA_HEX = "5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72";
    static final String BETA_HEX = "7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee";

    private static final int[] LAMBDA = limbs(LAMBDA_HEX);
    /**
     * {@code K = (2^BITS − 2¹²⁹ − 1)(1 + λ) mod n} for BITS = 130: makes the two signed-digit sums add
     * up to k (libsecp256k1's {@code secp256k1_ecmult_const_K}; the test recomputes it).
     */
    static final int[] K = limbs("a4e88a7dcb13034ec2bdd6bf7c118d6b589ae84826ba29e4b5c2c1dcde9798d9");
    /** 2¹²⁸, the offset that makes both halves non-negative. */
    private static final int[] S_OFFSET = limbs("0000000000000000000000000000000100000000000000000000000000000000");
    /** libsecp256k1's split constants: {@code g1 = round(2³⁸⁴·b2/n)}, {@code g2 = round(2³⁸⁴·(−b1)/n)}, −b1, −b2 mod n. */
    static final int[] G1 = limbs("3086d221a7d46bcde86c90e49284eb153daa8a1471e8ca7fe893209a45dbb031");
    static final int[] G2 = limbs("e4437ed6010e88286f547fa90abfe4c4221208ac9df506c61571b4ae8ac47f71");
    static final int[] MINUS_B1 = limbs("00000000000000000000000000000000e4437ed6010e88286f547fa90abfe4c3");
    static final int[] MINUS_B2 = limbs("fffffffffffffffffffffffffffffffe8a280ac50774346dd765cda83db1562c");

    private static final long[] BETA = Fp52.create();

    static {
        Fp52.fromBytes(BETA, Hex.decode(BETA_HEX, 32));
    }

    /** Decodes a public 32-byte constant (static initialization only). */
    private static int[] limbs(String hex64) {
        return ModN.fromBytes(Hex.decode(hex64, 32));
    }

    private ConstantTimeGlv() {}

    /** A Jacobian point; {@code inf} is 0 or 1 and is only ever combined arithmetically. */
    static final class Jac {
        final long[] x = Fp52.create();
        final long[] y = Fp52.create();
        final long[] z = Fp52.create();
        int inf;
    }

    /** Scratch field elements for one multiplication (avoids allocation in the loop). */
    static final class Scratch {
        final long[] zz = Fp52.create();
        final long[] u1 = Fp52.create();
        final long[] u2 = Fp52.create();
        final long[] s1 = Fp52.create();
        final long[] s2 = Fp52.create();
        final long[] t = Fp52.create();
        final long[] tt = Fp52.create();
        final long[] m = Fp52.create();
        final long[] n = Fp52.create();
        final long[] q = Fp52.create();
        final long[] rr = Fp52.create();
        final long[] mAlt = Fp52.create();
        final long[] rrAlt = Fp52.create();
        final long[] l = Fp52.create();
        final long[] s = Fp52.create();
        final long[] tx = Fp52.create();
        final long[] ty = Fp52.create();
        final long[] negY = Fp52.create();

        void wipe() {
            for (long[] f : new long[][] {zz, u1, u2, s1, s2, t, tt, m, n, q, rr, mAlt, rrAlt, l, s, tx, ty, negY}) {
                java.util.Arrays.fill(f, 0);
            }
        }
    }

    // ---------------------------------------------------------------- scalar recoding (secret)

    /**
     * The two 129-bit recoded halves {@code {v1, v2}} of k (see the class comment), as eight
     * little-endian 32-bit limbs each. Constant time.
     */
    static int[][] recode(int[] k) {
        int[] s = ModN.half(ModN.add(k, K));
        int[][] split = splitLambda(s);
        int[] v1 = ModN.add(split[0], S_OFFSET);
        int[] v2 = ModN.add(split[1], S_OFFSET);
        java.util.Arrays.fill(s, 0);
        java.util.Arrays.fill(split[0], 0);
        java.util.Arrays.fill(split[1], 0);
        return new int[][] {v1, v2};
    }

    /**
     * libsecp256k1's {@code secp256k1_scalar_split_lambda}: {@code r1 + λ·r2 ≡ k (mod n)} with
     * {@code r1}, {@code r2} or their negations below 2¹²⁸. Constant time.
     */
    static int[][] splitLambda(int[] k) {
        int[] c1 = mulShift384(k, G1);
        int[] c2 = mulShift384(k, G2);
        int[] c1b = ModN.mul(c1, MINUS_B1);
        int[] c2b = ModN.mul(c2, MINUS_B2);
        int[] r2 = ModN.add(c1b, c2b);
        int[] lr2 = ModN.mul(r2, LAMBDA);
        int[] r1 = ModN.sub(k, lr2);
        for (int[] t : new int[][] {c1, c2, c1b, c2b, lr2}) {
            java.util.Arrays.fill(t, 0);
        }
        return new int[][] {r1, r2};
    }

    /** {@code round(a·b / 2³⁸⁴)} for 256-bit a, b: the top 128 bits of the 512-bit product plus bit 383. */
    static int[] mulShift384(int[] a, int[] b) {
        final long m32 = 0xFFFFFFFFL;
        int[] l = new int[16];
        for (int i = 0; i < 8; i++) {
            long ai = a[i] & m32;
            long carry = 0;
            for (int j = 0; j < 8; j++) {
                long t = ai * (b[j] & m32) + (l[i + j] & m32) + carry; // ≤ 2⁶⁴ − 1
                l[i + j] = (int) t;
                carry = t >>> 32;
            }
            l[i + 8] = (int) carry;
        }
        int[] r = new int[8];
        long c = (l[11] >>> 31) & 1; // rounding bit 383
        for (int i = 0; i < 4; i++) {
            c += l[12 + i] & m32;
            r[i] = (int) c;
            c >>>= 32;
        }
        r[4] = (int) c;
        java.util.Arrays.fill(l, 0);
        return r;
    }

    /** Bits {@code pos … pos+4} of v; {@code pos} is public, so the branch only depends on the loop position. */
    private static int bits5(int[] v, int pos) {
        int w = pos >>> 5;
        int sh = pos & 31;
        int x = v[w] >>> sh;
        if (sh > 32 - GROUP_SIZE && w < 7) {
            x |= v[w + 1] << (32 - sh);
        }
        return x & (TABLE_SIZE * 2 - 1);
    }

    // ---------------------------------------------------------------- the multiplication

    /**
     * k·A, constant time in k. A must be a normalized (affine), valid point other than infinity; k
     * reduced ({@code < n}). Returns the affine {@code {x, y}} as normalized field elements, or null
     * if the result is infinity (exactly when k = 0).
     */
    static long[][] multiplyAffine(ECPoint a, int[] k) {
        long[] ax = Fp52.create();
        long[] ay = Fp52.create();
        Fp52.fromBytes(ax, a.getAffineXCoord().getEncoded());
        Fp52.fromBytes(ay, a.getAffineYCoord().getEncoded());

        long[][] preX = new long[TABLE_SIZE][];
        long[][] preY = new long[TABLE_SIZE][];
        long[] globalZ = Fp52.create();
        VarTimeStrauss.oddMultiplesGlobalZ(ax, ay, preX, preY, globalZ); // public point: variable time is fine
        long[][] lamX = new long[TABLE_SIZE][];
        for (int i = 0; i < TABLE_SIZE; i++) {
            lamX[i] = Fp52.create();
            Fp52.mul(lamX[i], preX[i], BETA);
        }
        // (λA) has the same y as A: the λ table shares preY.

        int[][] v = recode(k);
        Jac r = new Jac();
        Scratch w = new Scratch();
        long[] tx = w.tx;
        long[] ty = w.ty;
        try {
            for (int group = GROUPS - 1; group >= 0; group--) {
                int bits1 = bits5(v[0], group * GROUP_SIZE);
                int bits2 = bits5(v[1], group * GROUP_SIZE);
                lookup(tx, ty, preX, preY, bits1, w.negY);
                if (group == GROUPS - 1) {
                    Fp52.copy(r.x, tx);
                    Fp52.copy(r.y, ty);
                    java.util.Arrays.fill(r.z, 0);
                    r.z[0] = 1;
                    r.inf = 0;
                } else {
                    for (int j = 0; j < GROUP_SIZE; j++) {
                        doubleJac(r, w);
                    }
                    addAffine(r, tx, ty, w);
                }
                lookup(tx, ty, lamX, preY, bits2, w.negY);
                addAffine(r, tx, ty, w);
            }
            Fp52.mul(r.z, r.z, globalZ); // back from the isomorphic curve

            if (r.inf != 0) { // the outcome is public: k = 0
                return null;
            }
            return toAffine(r);
        } finally {
            java.util.Arrays.fill(v[0], 0);
            java.util.Arrays.fill(v[1], 0);
            java.util.Arrays.fill(r.x, 0);
            java.util.Arrays.fill(r.y, 0);
            java.util.Arrays.fill(r.z, 0);
            w.wipe();
        }
    }

    /** The affine {@code {x, y}} (normalized) of a Jacobian point that is not infinity; constant time (safegcd inversion). */
    static long[][] toAffine(Jac r) {
        long[] zi = Fp52.create();
        long[] zi2 = Fp52.create();
        Fp52.inv(zi, r.z);
        Fp52.sqr(zi2, zi);
        Fp52.mul(zi, zi2, zi); // zi³
        long[] x = Fp52.create();
        long[] y = Fp52.create();
        Fp52.mul(x, r.x, zi2);
        Fp52.mul(y, r.y, zi);
        Fp52.normalize(x);
        Fp52.normalize(y);
        java.util.Arrays.fill(zi, 0);
        java.util.Arrays.fill(zi2, 0);
        return new long[][] {x, y};
    }

    /**
     * Entry {@code |d|} of the table for the 5-bit group {@code n}, where bit b means the sign
     * {@code 2b − 1} (libsecp256k1's {@code ECMULT_CONST_TABLE_GET_GE}). Reads every entry; the one
     * wanted is kept by masked moves, and y is negated by a masked move.
     */
    private static void lookup(long[] rx, long[] ry, long[][] preX, long[][] preY, int n, long[] negY) {
        int negative = ((n >>> (GROUP_SIZE - 1)) ^ 1) & 1;
        int index = ((-negative) ^ n) & (TABLE_SIZE - 1);
        Fp52.copy(rx, preX[0]);
        Fp52.copy(ry, preY[0]);
        for (int m = 1; m < TABLE_SIZE; m++) {
            int flag = ((m ^ index) - 1) >>> 31; // 1 iff m == index (both < 2³¹)
            Fp52.cmov(rx, preX[m], flag);
            Fp52.cmov(ry, preY[m], flag);
        }
        Fp52.negate(negY, ry, 1);
        Fp52.cmov(ry, negY, negative);
    }

    /** r = 2r (libsecp256k1 {@code secp256k1_gej_double}; 3M + 4S). Infinity (Z = 0) stays infinity. */
    static void doubleJac(Jac r, Scratch w) {
        long[] l = w.l;
        long[] s = w.s;
        long[] t = w.t;
        Fp52.mul(r.z, r.z, r.y);     // Z3 = Y1*Z1 (1)
        Fp52.sqr(s, r.y);            // S = Y1^2 (1)
        Fp52.sqr(l, r.x);            // L = X1^2 (1)
        Fp52.mulInt(l, 3);           // L = 3*X1^2 (3)
        Fp52.half(l);                // L = 3/2*X1^2 (2)
        Fp52.negate(t, s, 1);        // T = -S (2)
        Fp52.mul(t, t, r.x);         // T = -X1*S (1)
        Fp52.sqr(r.x, l);            // X3 = L^2 (1)
        Fp52.add(r.x, t);            // X3 = L^2 + T (2)
        Fp52.add(r.x, t);            // X3 = L^2 + 2*T (3)
        Fp52.sqr(s, s);              // S' = S^2 (1)
        Fp52.add(t, r.x);            // T' = X3 + T (4)
        Fp52.mul(r.y, t, l);         // Y3 = L*(X3 + T) (1)
        Fp52.add(r.y, s);            // Y3 = L*(X3 + T) + S^2 (2)
        Fp52.negate(r.y, r.y, 2);    // Y3 = -(L*(X3 + T) + S^2) (3)
    }

    /**
     * r = r + (bx, by) for an affine point b that is not infinity, constant time and complete
     * (libsecp256k1 {@code secp256k1_gej_add_ge}, 7M + 5S; see the class comment).
     */
    static void addAffine(Jac r, long[] bx, long[] by, Scratch w) {
        long[] zz = w.zz, u1 = w.u1, u2 = w.u2, s1 = w.s1, s2 = w.s2, t = w.t, tt = w.tt, m = w.m, n = w.n, q = w.q, rr = w.rr;
        long[] mAlt = w.mAlt, rrAlt = w.rrAlt;

        Fp52.sqr(zz, r.z);                 // zz = Z1^2
        Fp52.copy(u1, r.x);                // u1 = U1 = X1*Z2^2 (GEJ_X_M)
        Fp52.mul(u2, bx, zz);              // u2 = U2 = X2*Z1^2 (1)
        Fp52.copy(s1, r.y);                // s1 = S1 = Y1*Z2^3 (GEJ_Y_M)
        Fp52.mul(s2, by, zz);              // s2 = Y2*Z1^2 (1)
        Fp52.mul(s2, s2, r.z);             // s2 = S2 = Y2*Z1^3 (1)
        Fp52.copy(t, u1);
        Fp52.add(t, u2);                   // t = T = U1+U2 (GEJ_X_M+1)
        Fp52.copy(m, s1);
        Fp52.add(m, s2);                   // m = M = S1+S2 (GEJ_Y_M+1)
        Fp52.sqr(rr, t);                   // rr = T^2 (1)
        Fp52.negate(mAlt, u2, 1);          // Malt = -X2*Z1^2 (2)
        Fp52.mul(tt, u1, mAlt);            // tt = -U1*U2 (1)
        Fp52.add(rr, tt);                  // rr = R = T^2-U1*U2 (2)
        int degenerate = Fp52.normalizesToZero(m); // y1 = -y2: lambda = R/M would be R/0
        Fp52.copy(rrAlt, s1);
        Fp52.mulInt(rrAlt, 2);             // rrAlt = Y1*Z2^3 - Y2*Z1^3 when degenerate (GEJ_Y_M*2)
        Fp52.add(mAlt, u1);                // Malt = X1*Z2^2 - X2*Z1^2 (GEJ_X_M+2)
        Fp52.cmov(rrAlt, rr, degenerate ^ 1);
        Fp52.cmov(mAlt, m, degenerate ^ 1);
        // rrAlt/mAlt is lambda, never x/0 (for r not infinity)
        Fp52.sqr(n, mAlt);                 // n = Malt^2 (1)
        Fp52.negate(q, t, GEJ_X_M + 1);    // q = -T (GEJ_X_M+2)
        Fp52.mul(q, q, n);                 // q = Q = -T*Malt^2 (1)
        Fp52.sqr(n, n);                    // n = Malt^4 (1)
        Fp52.cmov(n, m, degenerate);       // n = M^3 * Malt (GEJ_Y_M+1)
        Fp52.sqr(t, rrAlt);                // t = Ralt^2 (1)
        Fp52.mul(r.z, r.z, mAlt);          // Z3 = Malt*Z (1)
        Fp52.add(t, q);                    // t = Ralt^2 + Q (2)
        Fp52.copy(r.x, t);                 // X3 = Ralt^2 + Q (2)
        Fp52.mulInt(t, 2);                 // t = 2*X3 (4)
        Fp52.add(t, q);                    // t = 2*X3 + Q (5)
        Fp52.mul(t, t, rrAlt);             // t = Ralt*(2*X3 + Q) (1)
        Fp52.add(t, n);                    // t = Ralt*(2*X3 + Q) + M^3*Malt (GEJ_Y_M+2)
        Fp52.negate(r.y, t, GEJ_Y_M + 2);  // Y3 = -(Ralt*(2*X3 + Q) + M^3*Malt) (GEJ_Y_M+3)
        Fp52.half(r.y);                    // Y3 /= 2 ((GEJ_Y_M+3)/2 + 1)

        // r was infinity: the result is b (masked moves, no branch)
        int wasInf = r.inf;
        Fp52.cmov(r.x, bx, wasInf);
        Fp52.cmov(r.y, by, wasInf);
        Fp52.cmov(r.z, FP_ONE, wasInf);
        r.inf = Fp52.normalizesToZero(r.z); // a = -b gives Z3 = 0; otherwise Z3 != 0
    }

    private static final long[] FP_ONE = Fp52.one();
}
