package dev.secretstore.crypto;

/**
 * Arithmetic modulo the secp256k1 field prime p = 2²⁵⁶ − 2³² − 977 on five 52-bit limbs held in a
 * {@code long[5]} (the last limb 48 bits), the 64-bit layout of libsecp256k1 ({@code field_5x52}).
 *
 * <p>Java has no 128-bit integer, so {@link #mul} and {@link #sqr} form every 104–113-bit limb
 * product from its low 64 bits ({@code x*y}) and its high 64 bits ({@link Math#multiplyHigh}, exact
 * for the non-negative operands below 2⁶³ used here) and accumulate each column of the schoolbook
 * product in three longs that cannot overflow: the high halves, the bits 52–63 of the low halves and
 * the bits 0–51 of the low halves. No carry is ever detected, so there is no branch and no
 * comparison; the reduction folds 2²⁶⁰ ≡ R = 0x1000003D10 and 2²⁵⁶ ≡ 0x1000003D1 (mod p).
 *
 * <p>Magnitudes as in libsecp256k1: an element of magnitude m has limbs at most {@code 2·m·(2⁵²−1)}
 * ({@code 2·m·(2⁴⁸−1)} for the top one). {@link #mul} and {@link #sqr} accept magnitude ≤ 8 and
 * return magnitude 1.
 */
final class Fp52 {
    static final int LIMBS = 5;
    private static final long M = 0xFFFFFFFFFFFFFL;
    private static final long M48 = 0xFFFFFFFFFFFFL;
    private static final long R = 0x1000003D10L;
    /** R·2¹²: {@code multiplyHigh(s, R12)} is ⌊s·R / 2⁵²⌋ for s below 2⁶³. */
    private static final long R12 = R << 12;

    private Fp52() {}

    static long[] create() {
        return new long[LIMBS];
    }

    /** r = a·b mod p; inputs of magnitude ≤ 8, output magnitude 1. r may alias a or b. */
    static void mul(long[] r, long[] a, long[] b) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        final long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4];
        final long a0h = a0 << 6, a1h = a1 << 6, a2h = a2 << 6, a3h = a3 << 6, a4h = a4 << 6;
        final long b0h = b0 << 6, b1h = b1 << 6, b2h = b2 << 6, b3h = b3 << 6, b4h = b4 << 6;
        final long u0 = Math.multiplyHigh(a0h, b0h);
        final long w0 = a0 * b0 - (u0 << 52);
        final long u1 = Math.multiplyHigh(a0h, b1h) + Math.multiplyHigh(a1h, b0h);
        final long w1 = a0 * b1 + a1 * b0 - (u1 << 52);
        final long u2 = Math.multiplyHigh(a0h, b2h) + Math.multiplyHigh(a1h, b1h) + Math.multiplyHigh(a2h, b0h);
        final long w2 = a0 * b2 + a1 * b1 + a2 * b0 - (u2 << 52);
        final long u3 = Math.multiplyHigh(a0h, b3h) + Math.multiplyHigh(a1h, b2h) + Math.multiplyHigh(a2h, b1h) + Math.multiplyHigh(a3h, b0h);
        final long w3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 - (u3 << 52);
        final long u4 = Math.multiplyHigh(a0h, b4h) + Math.multiplyHigh(a1h, b3h) + Math.multiplyHigh(a2h, b2h) + Math.multiplyHigh(a3h, b1h) + Math.multiplyHigh(a4h, b0h);
        final long w4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 - (u4 << 52);
        final long u5 = Math.multiplyHigh(a1h, b4h) + Math.multiplyHigh(a2h, b3h) + Math.multiplyHigh(a3h, b2h) + Math.multiplyHigh(a4h, b1h);
        final long w5 = a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 - (u5 << 52);
        final long u6 = Math.multiplyHigh(a2h, b4h) + Math.multiplyHigh(a3h, b3h) + Math.multiplyHigh(a4h, b2h);
        final long w6 = a2 * b4 + a3 * b3 + a4 * b2 - (u6 << 52);
        final long u7 = Math.multiplyHigh(a3h, b4h) + Math.multiplyHigh(a4h, b3h);
        final long w7 = a3 * b4 + a4 * b3 - (u7 << 52);
        final long u8 = Math.multiplyHigh(a4h, b4h);
        final long w8 = a4 * b4 - (u8 << 52);
        reduce(r, w0, w1 + u0, w2 + u1, w3 + u2, w4 + u3, w5 + u4, w6 + u5, w7 + u6, w8 + u7, u8);
    }

    /** r = a² mod p; input magnitude ≤ 8, output magnitude 1. r may alias a. */
    static void sqr(long[] r, long[] a) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        final long a02 = a0 * 2, a12 = a1 * 2, a22 = a2 * 2, a32 = a3 * 2;
        final long a0h = a0 << 6, a1h = a1 << 6, a2h = a2 << 6, a3h = a3 << 6, a4h = a4 << 6;
        final long a0h2 = a0 << 7, a1h2 = a1 << 7, a2h2 = a2 << 7, a3h2 = a3 << 7;
        final long u0 = Math.multiplyHigh(a0h, a0h);
        final long w0 = a0 * a0 - (u0 << 52);
        final long u1 = Math.multiplyHigh(a0h2, a1h);
        final long w1 = a02 * a1 - (u1 << 52);
        final long u2 = Math.multiplyHigh(a0h2, a2h) + Math.multiplyHigh(a1h, a1h);
        final long w2 = a02 * a2 + a1 * a1 - (u2 << 52);
        final long u3 = Math.multiplyHigh(a0h2, a3h) + Math.multiplyHigh(a1h2, a2h);
        final long w3 = a02 * a3 + a12 * a2 - (u3 << 52);
        final long u4 = Math.multiplyHigh(a0h2, a4h) + Math.multiplyHigh(a1h2, a3h) + Math.multiplyHigh(a2h, a2h);
        final long w4 = a02 * a4 + a12 * a3 + a2 * a2 - (u4 << 52);
        final long u5 = Math.multiplyHigh(a1h2, a4h) + Math.multiplyHigh(a2h2, a3h);
        final long w5 = a12 * a4 + a22 * a3 - (u5 << 52);
        final long u6 = Math.multiplyHigh(a2h2, a4h) + Math.multiplyHigh(a3h, a3h);
        final long w6 = a22 * a4 + a3 * a3 - (u6 << 52);
        final long u7 = Math.multiplyHigh(a3h2, a4h);
        final long w7 = a32 * a4 - (u7 << 52);
        final long u8 = Math.multiplyHigh(a4h, a4h);
        final long w8 = a4 * a4 - (u8 << 52);
        reduce(r, w0, w1 + u0, w2 + u1, w3 + u2, w4 + u3, w5 + u4, w6 + u5, w7 + u6, w8 + u7, u8);
    }

    /**
     * Reduces the 512-bit product s0 + s1·2⁵² + … + s9·2⁴⁶⁸ (each s below 2⁶³, s9 below 2⁵³) to five
     * limbs of magnitude 1, with short dependency chains. Positions 5–9 are folded down independently
     * as s·R (2²⁶⁰ ≡ R; each 128-bit product split into its bits 0–51 and 52–115, the latter below
     * 2⁴⁸), then every position carries once into the next in parallel (limbs end below 2⁵² + 2¹²),
     * and the bits at or above 2²⁵⁶ (below 2⁴³) are folded once more as top·(2³² + 977), which fits
     * in 64 bits, with one carry from limb 0 to limb 1.
     */
    private static void reduce(long[] r, long s0, long s1, long s2, long s3, long s4, long s5, long s6, long s7, long s8, long s9) {
        final long l5 = s5 * R, l6 = s6 * R, l7 = s7 * R, l8 = s8 * R, l9 = s9 * R;
        final long t0 = s0 + (l5 & M);
        final long t1 = s1 + (l6 & M) + Math.multiplyHigh(s5, R12);
        final long t2 = s2 + (l7 & M) + Math.multiplyHigh(s6, R12);
        final long t3 = s3 + (l8 & M) + Math.multiplyHigh(s7, R12);
        final long t4 = s4 + (l9 & M) + Math.multiplyHigh(s8, R12);
        final long e = Math.multiplyHigh(s9, R12);
        final long top = (t4 >>> 48) + (e << 4);
        final long v = (t0 & M) + top * 977 + ((top << 32) & M);
        r[0] = v & M;
        r[1] = (t1 & M) + (t0 >>> 52) + (v >>> 52) + (top >>> 20);
        r[2] = (t2 & M) + (t1 >>> 52);
        r[3] = (t3 & M) + (t2 >>> 52);
        r[4] = (t4 & M48) + (t3 >>> 52);
    }
}
