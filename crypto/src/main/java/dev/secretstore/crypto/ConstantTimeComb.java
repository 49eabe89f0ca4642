package dev.secretstore.crypto;

/**
 * Constant-time fixed-base multiplication {@code k·G} for a secret scalar k: fixed 5-bit windows of
 * signed odd digits over a static table of affine multiples of G, one full-scan masked lookup and one
 * complete mixed addition per window, no doublings (in the spirit of libsecp256k1's
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
 *   <li><b>Table (public data, built once at class initialization).</b>
 *       {@code T[i][j] = (2j + 1)·32^i·G} for 52 windows i and j = 0 … 15, affine, normalized
 *       limbs stored as {@code int}s (66 KB). No entry is infinity: {@code (2j + 1)·32^i} is a
 *       nonzero number below n·32 and n is a prime above 32.</li>
 *   <li><b>Main loop.</b> The accumulator starts as {@code ±T[0][|d_0|]} (Z = 1); each of the 51
 *       other windows reads its entry by scanning all 16 entries with masked moves (the addresses
 *       depend only on the public window number), negates y by a masked move when the digit is
 *       negative, and adds it with {@link ConstantTimeGlv#addAffine} (libsecp256k1's
 *       {@code secp256k1_gej_add_ge}, 7M + 5S).</li>
 *   <li><b>Exceptional cases.</b> {@code addAffine} is complete for an affine summand other than
 *       infinity: doubling (Brier–Joye), {@code y1 = −y2} with {@code x1 ≠ x2}, an accumulator at
 *       infinity and {@code a = −b} (Z = 0) are all handled by masked moves. Below the last window
 *       the partial sum {@code S_m = Σ_{i<m} d_i·32^i} has {@code |S_m| < 32^m ≤ |d_m|·32^m} and
 *       {@code |S_m ± d_m·32^m| < 2²⁵⁵ < n}, so no doubling or cancellation can occur there; the
 *       last addition meets a cancellation when k = 0 and a doubling for special k
 *       ({@code k ≡ d·2²⁵⁶}), and the {@code y1 = −y2}, {@code x1 ≠ x2} case needs a relation
 *       with λ. The formula covers all of them without a branch; the tests exercise the last-window
 *       ones.</li>
 *   <li><b>Result.</b> One constant-time inversion (BouncyCastle's safegcd via {@link Fp26#inv})
 *       to affine. The only branch on the outcome is "result is infinity", which happens exactly
 *       when k = 0 (a public failure).</li>
 * </ol>
 */
final class ConstantTimeComb {
    static final int WINDOW = 5;
    static final int ENTRIES = 1 << (WINDOW - 1); // 16 odd multiples
    static final int WINDOWS = (256 + WINDOW - 1) / WINDOW; // 52
    private static final int L = Fp26.LIMBS;
    private static final int WINDOW_STRIDE = ENTRIES * L;

    /** {@code 2²⁶⁰ − 1 mod n}: bits of v read as signs sum to {@code 2v − (2²⁶⁰ − 1)} (the test recomputes it). */
    static final int[] OFFSET = ModN.fromBytes(Hex.decode("00000000000000000000000000000014551231950b75fc4402da1732fc9bebef", 32));

    /** x and y of {@code T[i][j]} at {@code (i·16 + j)·10}, normalized 26-bit limbs. */
    private static final int[] TX = new int[WINDOWS * WINDOW_STRIDE];
    private static final int[] TY = new int[WINDOWS * WINDOW_STRIDE];

    static {
        buildTable();
    }

    private ConstantTimeComb() {}

    /** Builds {@link #TX}/{@link #TY} from G (public data only). */
    private static void buildTable() {
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] bx = Fp26.create(); // B = 32^i·G, affine
        long[] by = Fp26.create();
        Fp26.fromBytes(bx, Secp256k1.G.getAffineXCoord().getEncoded());
        Fp26.fromBytes(by, Secp256k1.G.getAffineYCoord().getEncoded());
        for (int i = 0; i < WINDOWS; i++) {
            ConstantTimeGlv.Jac b2 = jac(bx, by);
            ConstantTimeGlv.doubleJac(b2, w);
            long[][] twoB = ConstantTimeGlv.toAffine(b2);
            ConstantTimeGlv.Jac acc = jac(bx, by);
            for (int j = 0; j < ENTRIES; j++) { // acc = (2j + 1)·B
                long[][] e = ConstantTimeGlv.toAffine(acc);
                int at = i * WINDOW_STRIDE + j * L;
                for (int l = 0; l < L; l++) {
                    TX[at + l] = (int) e[0][l];
                    TY[at + l] = (int) e[1][l];
                }
                ConstantTimeGlv.addAffine(acc, twoB[0], twoB[1], w);
            }
            ConstantTimeGlv.Jac next = jac(bx, by);
            for (int d = 0; d < WINDOW; d++) {
                ConstantTimeGlv.doubleJac(next, w);
            }
            long[][] b = ConstantTimeGlv.toAffine(next);
            Fp26.copy(bx, b[0]);
            Fp26.copy(by, b[1]);
        }
    }

    private static ConstantTimeGlv.Jac jac(long[] x, long[] y) {
        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        Fp26.copy(r.x, x);
        Fp26.copy(r.y, y);
        r.z[0] = 1;
        return r;
    }

    /** The affine table entry {@code T[i][j]} (tests only; public data). */
    static long[][] entry(int i, int j) {
        long[] x = Fp26.create();
        long[] y = Fp26.create();
        int at = i * WINDOW_STRIDE + j * L;
        for (int l = 0; l < L; l++) {
            x[l] = TX[at + l];
            y[l] = TY[at + l];
        }
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
    static long[][] multiplyAffine(int[] k) {
        int[] v = recode(k);
        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] tx = w.tx;
        long[] ty = w.ty;
        try {
            lookup(r.x, r.y, 0, group(v, 0), w.negY);
            r.z[0] = 1;
            r.inf = 0;
            for (int i = 1; i < WINDOWS; i++) {
                lookup(tx, ty, i, group(v, i), w.negY);
                ConstantTimeGlv.addAffine(r, tx, ty, w);
            }
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
     * {@code (rx, ry) = d·32^window·G} for the digit {@code d = 2n − 31} of the 5-bit group n: reads
     * all 16 entries of the window, keeps entry {@code |d| >> 1} by masks, and negates y by a masked
     * move when {@code d < 0} (top bit of n clear). Memory addresses depend only on the window.
     */
    private static void lookup(long[] rx, long[] ry, int window, int n, long[] negY) {
        int negative = ((n >>> (WINDOW - 1)) ^ 1) & 1;
        int index = ((-negative) ^ n) & (ENTRIES - 1);
        int base = window * WINDOW_STRIDE;
        int x0 = 0, x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0, x6 = 0, x7 = 0, x8 = 0, x9 = 0;
        int y0 = 0, y1 = 0, y2 = 0, y3 = 0, y4 = 0, y5 = 0, y6 = 0, y7 = 0, y8 = 0, y9 = 0;
        for (int m = 0; m < ENTRIES; m++) {
            int mask = -((((m ^ index) - 1) >>> 31) & 1); // all ones iff m == index (both < 2³¹)
            int at = base + m * L;
            x0 |= TX[at] & mask;
            x1 |= TX[at + 1] & mask;
            x2 |= TX[at + 2] & mask;
            x3 |= TX[at + 3] & mask;
            x4 |= TX[at + 4] & mask;
            x5 |= TX[at + 5] & mask;
            x6 |= TX[at + 6] & mask;
            x7 |= TX[at + 7] & mask;
            x8 |= TX[at + 8] & mask;
            x9 |= TX[at + 9] & mask;
            y0 |= TY[at] & mask;
            y1 |= TY[at + 1] & mask;
            y2 |= TY[at + 2] & mask;
            y3 |= TY[at + 3] & mask;
            y4 |= TY[at + 4] & mask;
            y5 |= TY[at + 5] & mask;
            y6 |= TY[at + 6] & mask;
            y7 |= TY[at + 7] & mask;
            y8 |= TY[at + 8] & mask;
            y9 |= TY[at + 9] & mask;
        }
        rx[0] = x0; rx[1] = x1; rx[2] = x2; rx[3] = x3; rx[4] = x4;
        rx[5] = x5; rx[6] = x6; rx[7] = x7; rx[8] = x8; rx[9] = x9;
        ry[0] = y0; ry[1] = y1; ry[2] = y2; ry[3] = y3; ry[4] = y4;
        ry[5] = y5; ry[6] = y6; ry[7] = y7; ry[8] = y8; ry[9] = y9;
        Fp26.negate(negY, ry, 1);
        Fp26.cmov(ry, negY, negative);
    }
}
