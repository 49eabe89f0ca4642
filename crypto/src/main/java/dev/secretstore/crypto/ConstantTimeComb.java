package dev.secretstore.crypto;

/**
 * Constant-time fixed-base multiplication {@code k·G} for a secret scalar k, in the manner of
 * libsecp256k1's classic {@code secp256k1_ecmult_gen} (4-bit windows over a static table with a
 * "nothing up my sleeve" offset). Used by {@link Secp256k1#mulSecret} and {@link Secp256k1#mulSecretX}
 * when the point is G (SEC-06); it replaced BouncyCastle's {@code FixedPointCombMultiplier} there.
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Table (public data, built once at class initialization).</b> k is read as 64 unsigned
 *       4-bit digits {@code d_i}, {@code k = Σ d_i·16^i}. For every window i and digit j the table
 *       holds the affine point {@code T[i][j] = j·16^i·G + O_i}, where the offsets are multiples of a
 *       point U whose discrete logarithm nobody knows: {@code O_i = 2^i·U} for {@code i < 63} and
 *       {@code O_63 = −(2^63 − 1)·U}, so that {@code Σ O_i = 0} and {@code Σ T[i][d_i] = k·G}. The
 *       offset makes every entry a point other than infinity (also for j = 0), and it makes every
 *       partial sum {@code Σ_{i<m} T[i][d_i]} a point that differs from {@code ±T[m][j]} unless
 *       someone knows {@code log_G U}: the additions never meet a doubling or a cancellation,
 *       except the very last one when k = 0 (a public failure, see below). U is the point with
 *       x = the 32 ASCII bytes "The scalar for this x is unknown" and even y (libsecp256k1's
 *       original choice of NUMS point).</li>
 *   <li><b>Main loop.</b> The accumulator starts as the entry of window 0 (Z = 1); then, for each of
 *       the 63 other windows, one entry is read by scanning all 16 entries of that window with
 *       masked moves (no memory address depends on k) and added with {@link ConstantTimeGlv#addAffine}
 *       (libsecp256k1's {@code secp256k1_gej_add_ge}, 7M + 5S). No doublings.</li>
 *   <li><b>Exceptional cases.</b> {@code addAffine} is complete for an affine summand that is not
 *       infinity: it handles doubling, {@code y1 = −y2} with {@code x1 ≠ x2}, an accumulator at
 *       infinity and {@code a = −b} (Z = 0) without branches. With the offsets only the last case can
 *       occur, and only in the last addition when k = 0.</li>
 *   <li><b>Result.</b> One constant-time inversion (BouncyCastle's safegcd via {@link Fp26#inv}) to
 *       affine. The only branch on the outcome is "result is infinity", which happens exactly when
 *       k = 0.</li>
 * </ol>
 *
 * <p>The table is 64 × 16 entries of two {@link Fp26} elements, stored flat (164 KB). Building it
 * takes 1024 field inversions plus about 1100 point operations at class initialization.
 */
final class ConstantTimeComb {
    private static final int WINDOW = 4;
    private static final int ENTRIES = 1 << WINDOW; // 16
    private static final int WINDOWS = 256 / WINDOW; // 64
    private static final int L = Fp26.LIMBS;
    private static final int WINDOW_STRIDE = ENTRIES * L;

    /** x and y of {@code T[i][j]} at {@code (i·16 + j)·10}, normalized. */
    private static final long[] TX = new long[WINDOWS * WINDOW_STRIDE];
    private static final long[] TY = new long[WINDOWS * WINDOW_STRIDE];

    /** libsecp256k1's original nothing-up-my-sleeve x-coordinate (ASCII), with even y. */
    static final String NUMS_X_ASCII = "The scalar for this x is unknown";

    static {
        buildTable();
    }

    private ConstantTimeComb() {}

    /** The offset point U as normalized affine {@code {x, y}} (public). */
    static long[][] numsPoint() {
        byte[] enc = new byte[33];
        enc[0] = 0x02;
        byte[] x = NUMS_X_ASCII.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(x, 0, enc, 1, 32);
        org.bouncycastle.math.ec.ECPoint u = Secp256k1.CURVE.decodePoint(enc).normalize(); // throws if not on the curve
        long[] ux = Fp26.create();
        long[] uy = Fp26.create();
        Fp26.fromBytes(ux, u.getAffineXCoord().getEncoded());
        Fp26.fromBytes(uy, u.getAffineYCoord().getEncoded());
        return new long[][] {ux, uy};
    }

    /** Builds {@link #TX}/{@link #TY} from public data only (G and U). */
    private static void buildTable() {
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[][] u = numsPoint();
        // base = 16^i·G (affine), offset = 2^i·U (Jacobian), sum = Σ_{i'<i} O_i' (Jacobian)
        long[] bx = Fp26.create();
        long[] by = Fp26.create();
        Fp26.fromBytes(bx, Secp256k1.G.getAffineXCoord().getEncoded());
        Fp26.fromBytes(by, Secp256k1.G.getAffineYCoord().getEncoded());
        ConstantTimeGlv.Jac offset = jac(u[0], u[1]);
        ConstantTimeGlv.Jac sum = new ConstantTimeGlv.Jac();
        sum.inf = 1;
        for (int i = 0; i < WINDOWS - 1; i++) {
            long[][] o = ConstantTimeGlv.toAffine(offset);
            fillWindow(i, o[0], o[1], bx, by, w);
            ConstantTimeGlv.addAffine(sum, o[0], o[1], w);
            ConstantTimeGlv.doubleJac(offset, w);
            ConstantTimeGlv.Jac base = jac(bx, by);
            for (int d = 0; d < WINDOW; d++) {
                ConstantTimeGlv.doubleJac(base, w);
            }
            long[][] b = ConstantTimeGlv.toAffine(base);
            Fp26.copy(bx, b[0]);
            Fp26.copy(by, b[1]);
        }
        // O_63 = −Σ_{i<63} O_i = −(2^63 − 1)·U
        long[][] s = ConstantTimeGlv.toAffine(sum);
        long[] negY = Fp26.create();
        Fp26.negate(negY, s[1], 1);
        Fp26.normalize(negY);
        fillWindow(WINDOWS - 1, s[0], negY, bx, by, w);
    }

    /** {@code T[i][j] = O + j·B} for j = 0 … 15 (O, B affine, public). */
    private static void fillWindow(int i, long[] ox, long[] oy, long[] bx, long[] by, ConstantTimeGlv.Scratch w) {
        ConstantTimeGlv.Jac acc = jac(ox, oy);
        for (int j = 0; j < ENTRIES; j++) {
            long[][] e = ConstantTimeGlv.toAffine(acc);
            int at = i * WINDOW_STRIDE + j * L;
            System.arraycopy(e[0], 0, TX, at, L);
            System.arraycopy(e[1], 0, TY, at, L);
            ConstantTimeGlv.addAffine(acc, bx, by, w);
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
        int at = i * WINDOW_STRIDE + j * L;
        return new long[][] {
            java.util.Arrays.copyOfRange(TX, at, at + L), java.util.Arrays.copyOfRange(TY, at, at + L)};
    }

    // ---------------------------------------------------------------- the multiplication

    /**
     * k·G, constant time in k; k reduced ({@code < n}) as eight little-endian 32-bit limbs. Returns
     * the affine {@code {x, y}} as normalized field elements, or null if the result is infinity
     * (exactly when k = 0).
     */
    static long[][] multiplyAffine(int[] k) {
        ConstantTimeGlv.Jac r = new ConstantTimeGlv.Jac();
        ConstantTimeGlv.Scratch w = new ConstantTimeGlv.Scratch();
        long[] tx = w.tx;
        long[] ty = w.ty;
        try {
            lookup(r.x, r.y, 0, k[0] & (ENTRIES - 1));
            r.z[0] = 1;
            r.inf = 0;
            for (int i = 1; i < WINDOWS; i++) {
                int digit = (k[i >>> 3] >>> ((i & 7) << 2)) & (ENTRIES - 1);
                lookup(tx, ty, i, digit);
                ConstantTimeGlv.addAffine(r, tx, ty, w);
            }
            if (r.inf != 0) { // the outcome is public: k = 0
                return null;
            }
            return ConstantTimeGlv.toAffine(r);
        } finally {
            java.util.Arrays.fill(r.x, 0);
            java.util.Arrays.fill(r.y, 0);
            java.util.Arrays.fill(r.z, 0);
            w.wipe();
        }
    }

    /**
     * {@code (rx, ry) = T[window][digit]}: reads all 16 entries of the window and keeps the wanted one
     * by masks, so the addresses read depend only on the (public) window.
     */
    private static void lookup(long[] rx, long[] ry, int window, int digit) {
        int base = window * WINDOW_STRIDE;
        long x0 = 0, x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0, x6 = 0, x7 = 0, x8 = 0, x9 = 0;
        long y0 = 0, y1 = 0, y2 = 0, y3 = 0, y4 = 0, y5 = 0, y6 = 0, y7 = 0, y8 = 0, y9 = 0;
        for (int m = 0; m < ENTRIES; m++) {
            long mask = -(long) ((((m ^ digit) - 1) >>> 31) & 1); // all ones iff m == digit (both < 2³¹)
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
    }
}
