package dev.secretstore.crypto;

/**
 * Constant-time fixed-base multiplication {@code k·G} (or k·B for another fixed base B, each with its own
 * table) for a secret scalar k: fixed 5-bit windows of
 * signed odd digits over a table of affine multiples of the base, one full-scan masked lookup and one
 * mixed addition per window, no doublings (in the spirit of libsecp256k1's
 * {@code secp256k1_ecmult_gen} with one tooth per block, and of {@link ConstantTimeGlv}'s recoding).
 * Used by {@link Secp256k1#mulSecret} and {@link Secp256k1#mulSecretX} when the point is G (SEC-06);
 * it replaced BouncyCastle's {@code FixedPointCombMultiplier} there.
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Recoding (constant time, {@link ModN} limbs).</b> {@code v = (k + 2²⁶⁰ − 1)/2 mod n}.
 *       Reading each of the 260 bits b of v as the sign {@code 2b − 1} gives
 *       {@code Σ (2b_j − 1)·2^j = 2v − (2²⁶⁰ − 1) ≡ k (mod n)}. Each 5-bit group {@code n_i} of v
 *       is then the odd digit {@code d_i = 2n_i − 31 ∈ [−31, 31]}, and {@code k ≡ Σ d_i·32^i}
 *       over 52 windows: no zero digit, no carries, no data-dependent recoding ("all bits are
 *       signs", as in libsecp256k1's {@code ecmult_const} and {@code ecmult_gen}).</li>
 *   <li><b>Table (public data, built once per base: for G at class initialization).</b>
 *       {@code T[i][j] = (2j + 1)·32^i·G} for 52 windows i and j = 0 … 15, affine, normalized
 *       limbs, x and y side by side in ten {@code long}s (66 KB). No entry is infinity: {@code (2j + 1)·32^i} is a
 *       nonzero number below n·32 and n is a prime above 32.</li>
 *   <li><b>Main loop.</b> The accumulator starts as {@code ±T[0][|d_0|]} (Z = 1); each of the 51
 *       other windows reads its entry by scanning all 16 entries with masked moves (the addresses
 *       depend only on the public window number) and negates y by a masked move when the digit is
 *       negative. Windows 1 … 50 are added with the textbook mixed addition
 *       ({@link #addAffineGeneric}, 8M + 3S), the last one with the complete
 *       {@link ConstantTimeGlv#addAffine} (libsecp256k1's {@code secp256k1_gej_add_ge}, 7M + 5S).</li>
 *   <li><b>Exceptional cases.</b> The textbook formula fails only when the accumulator is infinity or
 *       has the x of the summand (doubling or cancellation; {@code x1 = β·x2} is not exceptional for
 *       it). Neither can happen below the last window, for any k: the partial sum
 *       {@code S_m = Σ_{i<m} d_i·32^i} satisfies {@code 0 < |S_m| ≤ 32^m − 1 < |d_m|·32^m}, so
 *       {@code S_m} is not 0 and {@code S_m ∓ d_m·32^m} is a nonzero integer of absolute value
 *       below {@code 32^(m+1) ≤ 2²⁵⁵ < n} (m ≤ 50), hence not 0 mod n. The last addition can meet a
 *       cancellation (exactly when k = 0) or a doubling (special k, {@code k ≡ d·2²⁵⁶}); the
 *       complete formula handles both, and an accumulator at infinity, by masked moves. The tests
 *       exercise those scalars.</li>
 *   <li><b>Result.</b> One constant-time inversion (BouncyCastle's safegcd via {@link Fp52#inv})
 *       to affine. The only branch on the outcome is "result is infinity", which happens exactly
 *       when k = 0 (a public failure).</li>
 * </ol>
 */
final class ConstantTimeComb {
    static final int WINDOW = 5;
    static final int ENTRIES = 1 << (WINDOW - 1); // 16 odd multiples
    static final int WINDOWS = (256 + WINDOW - 1) / WINDOW; // 52
    /** Longs per table entry: the five limbs of x, then the five limbs of y. */
    private static final int L = 2 * Fp52.LIMBS;
    private static final int WINDOW_STRIDE = ENTRIES * L;

    /** {@code 2²⁶⁰ − 1 mod n}: bits of v read as signs sum to {@code 2v − (2²⁶⁰ − 1)} (the test recomputes it). */
    static final int[] OFFSET = ModN.fromBytes(Hex.decode("00000000000000000000000000000014551231950b75fc4402da1732fc9bebef", 32));

    /** The table for G, built when the class loads. */
    static final ConstantTimeComb FOR_G = new ConstantTimeComb(Secp256k1.G);

    /**
     * {@code T[i][j]} at {@code (i·16 + j)·10}: the five 52-bit limbs of the normalized x, then the
     * five of y (ten loads and masks per entry in the scan).
     */
    private final long[] txy = new long[WINDOWS * WINDOW_STRIDE];

    /**
     * Builds the table of {@code base} (public data only, about 25 ms and 66 KB): for G, and for the few
     * other fixed generators a node multiplies by secrets over and over (the Pedersen H). The argument of
     * the class comment holds for any base point, since every point but infinity has order n.
     */
    ConstantTimeComb(org.bouncycastle.math.ec.ECPoint base) {
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] bx = Fp52.create(); // B = 32^i·base, affine
        long[] by = Fp52.create();
        org.bouncycastle.math.ec.ECPoint affine = base.normalize();
        Fp52.fromBytes(bx, affine.getAffineXCoord().getEncoded());
        Fp52.fromBytes(by, affine.getAffineYCoord().getEncoded());
        for (int i = 0; i < WINDOWS; i++) {
            ConstantTimeGlv.Jac b2 = jac(bx, by);
            ConstantTimeGlv.doubleJac(b2, w);
            long[][] twoB = ConstantTimeGlv.toAffine(b2);
            ConstantTimeGlv.Jac acc = jac(bx, by);
            for (int j = 0; j < ENTRIES; j++) { // acc = (2j + 1)·B
                long[][] e = ConstantTimeGlv.toAffine(acc);
                int at = i * WINDOW_STRIDE + j * L;
                System.arraycopy(e[0], 0, txy, at, Fp52.LIMBS);
                System.arraycopy(e[1], 0, txy, at + Fp52.LIMBS, Fp52.LIMBS);
                ConstantTimeGlv.addAffine(acc, twoB[0], twoB[1], w);
            }
            ConstantTimeGlv.Jac next = jac(bx, by);
            for (int d = 0; d < WINDOW; d++) {
                ConstantTimeGlv.doubleJac(next, w);
            }
            long[][] b = ConstantTimeGlv.toAffine(next);
            Fp52.copy(bx, b[0]);
            Fp52.copy(by, b[1]);
        }
    }

    private static ConstantTimeGlv.Jac jac(long[] x, long[] y) {
        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        Fp52.copy(r.x, x);
        Fp52.copy(r.y, y);
        r.z[0] = 1;
        return r;
    }

    /** The affine table entry {@code T[i][j]} (tests only; public data). */
    long[][] entry(int i, int j) {
        long[] x = Fp52.create();
        long[] y = Fp52.create();
        int at = i * WINDOW_STRIDE + j * L;
        System.arraycopy(txy, at, x, 0, Fp52.LIMBS);
        System.arraycopy(txy, at + Fp52.LIMBS, y, 0, Fp52.LIMBS);
        return new long[][] {x, y};
    }

    // ---------------------------------------------------------------- the multiplication

    /**
     * The recoded scalar {@code v = (k + 2²⁶⁰ − 1)/2 mod n} as nine little-endian 32-bit limbs (the
     * ninth zero, so that every 5-bit group can be read without a branch). Constant time.
     */
    static int[] recode(int[] k) {
        int[] s = ModN.add(k, OFFSET);
        int[] v = ModN.half(s);
        int[] v9 = java.util.Arrays.copyOf(v, 9);
        java.util.Arrays.fill(s, 0);
        java.util.Arrays.fill(v, 0);
        return v9;
    }

    /** Bits {@code 5i … 5i+4} of v (nine limbs); reads limbs {@code ⌊5i/32⌋} and the next, both public positions. */
    static int group(int[] v, int i) {
        int pos = i * WINDOW;
        int w = pos >>> 5;
        long pair = (v[w] & 0xFFFFFFFFL) | ((long) v[w + 1] << 32);
        return (int) (pair >>> (pos & 31)) & (2 * ENTRIES - 1);
    }

    /**
     * k·G, constant time in k; k reduced ({@code < n}) as eight little-endian 32-bit limbs. Returns
     * the affine {@code {x, y}} as normalized field elements, or null if the result is infinity
     * (exactly when k = 0).
     */
    long[][] multiplyAffine(int[] k) {
        int[] v = recode(k);
        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] tx = w.tx;
        long[] ty = w.ty;
        try {
            lookup(r.x, r.y, 0, group(v, 0), w.negY);
            r.z[0] = 1;
            r.inf = 0;
            for (int i = 1; i < WINDOWS - 1; i++) { // no exceptional case below the last window (class comment)
                lookup(tx, ty, i, group(v, i), w.negY);
                addAffineGeneric(r, tx, ty, w);
            }
            lookup(tx, ty, WINDOWS - 1, group(v, WINDOWS - 1), w.negY);
            ConstantTimeGlv.addAffine(r, tx, ty, w); // complete: doubling and cancellation (k = 0) are possible here
            if (r.inf != 0) { // the outcome is public: k = 0
                return null;
            }
            return ConstantTimeGlv.toAffine(r);
        } finally {
            java.util.Arrays.fill(v, 0);
            java.util.Arrays.fill(r.x, 0);
            java.util.Arrays.fill(r.y, 0);
            java.util.Arrays.fill(r.z, 0);
            w.wipe();
        }
    }

    /**
     * r = r + (bx, by) by the textbook mixed addition (8M + 3S), for r not infinity and
     * {@code x(r) ≠ bx} (not a doubling, not a cancellation), which holds for every window but the
     * last (class comment). Branch-free; it does not check its precondition. Magnitudes: r.x ≤ 6,
     * r.y ≤ 6, r.z = 1, bx = 1, by ≤ 2 in; r.x = 1, r.y = 3, r.z = 1 out.
     */
    static void addAffineGeneric(ConstantTimeGlv.Jac r, long[] bx, long[] by, ConstantTimeGlv.Scratch w) {
        long[] z12 = w.zz, u2 = w.u2, s2 = w.s2, h = w.t, rr = w.rr, h2 = w.n, h3 = w.q, t = w.tt, u = w.m;
        Fp52.sqr(z12, r.z);                // z12 = Z1^2 (1)
        Fp52.mul(u2, bx, z12);             // U2 = X2*Z1^2 (1)
        Fp52.mul(s2, by, z12);
        Fp52.mul(s2, s2, r.z);             // S2 = Y2*Z1^3 (1)
        Fp52.negate(h, r.x, 6);            // -X1 (7)
        Fp52.add(h, u2);                   // H = U2 - X1 (8)
        Fp52.negate(rr, r.y, 6);           // -Y1 (7)
        Fp52.add(rr, s2);                  // R = S2 - Y1 (8)
        Fp52.sqr(h2, h);                   // H^2 (1)
        Fp52.mul(h3, h2, h);               // H^3 (1)
        Fp52.mul(r.z, r.z, h);             // Z3 = Z1*H (1)
        Fp52.mul(t, r.x, h2);              // T = X1*H^2 (1)
        Fp52.mul(u, r.y, h3);              // Y1*H^3 (1)
        Fp52.sqr(r.x, rr);                 // R^2 (1)
        Fp52.negate(h3, h3, 1);            // -H^3 (2)
        Fp52.add(r.x, h3);                 // R^2 - H^3 (3)
        Fp52.copy(h2, t);
        Fp52.mulInt(h2, 2);                // 2T (2)
        Fp52.negate(h2, h2, 2);            // -2T (3)
        Fp52.add(r.x, h2);                 // X3 = R^2 - H^3 - 2T (6)
        Fp52.normalizeWeak(r.x);           // X3 (1)
        Fp52.negate(h2, r.x, 1);           // -X3 (2)
        Fp52.add(h2, t);                   // T - X3 (3)
        Fp52.mul(r.y, rr, h2);             // R*(T - X3) (1)
        Fp52.negate(u, u, 1);              // -Y1*H^3 (2)
        Fp52.add(r.y, u);                  // Y3 = R*(T - X3) - Y1*H^3 (3)
    }

    /**
     * {@code (rx, ry) = d·32^window·G} for the digit {@code d = 2n − 31} of the 5-bit group n: reads
     * all 16 entries of the window, keeps entry {@code |d| >> 1} by masks, and negates y by a masked
     * move when {@code d < 0} (top bit of n clear). Memory addresses depend only on the window.
     */
    private void lookup(long[] rx, long[] ry, int window, int n, long[] negY) {
        int negative = ((n >>> (WINDOW - 1)) ^ 1) & 1;
        int index = ((-negative) ^ n) & (ENTRIES - 1);
        int base = window * WINDOW_STRIDE;
        long t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0, t8 = 0, t9 = 0;
        for (int m = 0; m < ENTRIES; m++) {
            long mask = -(long) ((((m ^ index) - 1) >>> 31) & 1); // all ones iff m == index (both < 2³¹)
            int at = base + m * L;
            t0 |= txy[at] & mask;
            t1 |= txy[at + 1] & mask;
            t2 |= txy[at + 2] & mask;
            t3 |= txy[at + 3] & mask;
            t4 |= txy[at + 4] & mask;
            t5 |= txy[at + 5] & mask;
            t6 |= txy[at + 6] & mask;
            t7 |= txy[at + 7] & mask;
            t8 |= txy[at + 8] & mask;
            t9 |= txy[at + 9] & mask;
        }
        rx[0] = t0; rx[1] = t1; rx[2] = t2; rx[3] = t3; rx[4] = t4;
        ry[0] = t5; ry[1] = t6; ry[2] = t7; ry[3] = t8; ry[4] = t9;
        Fp52.negate(negY, ry, 1);
        Fp52.cmov(ry, negY, negative);
    }
}
