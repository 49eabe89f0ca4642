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

    private Fp52() {}

    static long[] create() {
        return new long[LIMBS];
    }

    /** r = a·b mod p; inputs of magnitude ≤ 8, output magnitude 1. r may alias a or b. */
    static void mul(long[] r, long[] a, long[] b) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        final long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4];
        long p, u0, u1, u2, u3, u4, u5, u6, u7, u8, w0, w1, w2, w3, w4, w5, w6, w7, w8;
        p = a0 * b0; u0 = (Math.multiplyHigh(a0, b0) << 12) | (p >>> 52); w0 = p & M;
        p = a0 * b1; u1 = (Math.multiplyHigh(a0, b1) << 12) | (p >>> 52); w1 = p & M;
        p = a1 * b0; u1 += (Math.multiplyHigh(a1, b0) << 12) | (p >>> 52); w1 += p & M;
        p = a0 * b2; u2 = (Math.multiplyHigh(a0, b2) << 12) | (p >>> 52); w2 = p & M;
        p = a1 * b1; u2 += (Math.multiplyHigh(a1, b1) << 12) | (p >>> 52); w2 += p & M;
        p = a2 * b0; u2 += (Math.multiplyHigh(a2, b0) << 12) | (p >>> 52); w2 += p & M;
        p = a0 * b3; u3 = (Math.multiplyHigh(a0, b3) << 12) | (p >>> 52); w3 = p & M;
        p = a1 * b2; u3 += (Math.multiplyHigh(a1, b2) << 12) | (p >>> 52); w3 += p & M;
        p = a2 * b1; u3 += (Math.multiplyHigh(a2, b1) << 12) | (p >>> 52); w3 += p & M;
        p = a3 * b0; u3 += (Math.multiplyHigh(a3, b0) << 12) | (p >>> 52); w3 += p & M;
        p = a0 * b4; u4 = (Math.multiplyHigh(a0, b4) << 12) | (p >>> 52); w4 = p & M;
        p = a1 * b3; u4 += (Math.multiplyHigh(a1, b3) << 12) | (p >>> 52); w4 += p & M;
        p = a2 * b2; u4 += (Math.multiplyHigh(a2, b2) << 12) | (p >>> 52); w4 += p & M;
        p = a3 * b1; u4 += (Math.multiplyHigh(a3, b1) << 12) | (p >>> 52); w4 += p & M;
        p = a4 * b0; u4 += (Math.multiplyHigh(a4, b0) << 12) | (p >>> 52); w4 += p & M;
        p = a1 * b4; u5 = (Math.multiplyHigh(a1, b4) << 12) | (p >>> 52); w5 = p & M;
        p = a2 * b3; u5 += (Math.multiplyHigh(a2, b3) << 12) | (p >>> 52); w5 += p & M;
        p = a3 * b2; u5 += (Math.multiplyHigh(a3, b2) << 12) | (p >>> 52); w5 += p & M;
        p = a4 * b1; u5 += (Math.multiplyHigh(a4, b1) << 12) | (p >>> 52); w5 += p & M;
        p = a2 * b4; u6 = (Math.multiplyHigh(a2, b4) << 12) | (p >>> 52); w6 = p & M;
        p = a3 * b3; u6 += (Math.multiplyHigh(a3, b3) << 12) | (p >>> 52); w6 += p & M;
        p = a4 * b2; u6 += (Math.multiplyHigh(a4, b2) << 12) | (p >>> 52); w6 += p & M;
        p = a3 * b4; u7 = (Math.multiplyHigh(a3, b4) << 12) | (p >>> 52); w7 = p & M;
        p = a4 * b3; u7 += (Math.multiplyHigh(a4, b3) << 12) | (p >>> 52); w7 += p & M;
        p = a4 * b4; u8 = (Math.multiplyHigh(a4, b4) << 12) | (p >>> 52); w8 = p & M;
        reduce(r, w0, w1 + u0, w2 + u1, w3 + u2, w4 + u3, w5 + u4, w6 + u5, w7 + u6, w8 + u7, u8);
    }

    /** r = a² mod p; input magnitude ≤ 8, output magnitude 1. r may alias a. */
    static void sqr(long[] r, long[] a) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        final long a02 = a0 * 2, a12 = a1 * 2, a22 = a2 * 2, a32 = a3 * 2;
        long p, u0, u1, u2, u3, u4, u5, u6, u7, u8, w0, w1, w2, w3, w4, w5, w6, w7, w8;
        p = a0 * a0; u0 = (Math.multiplyHigh(a0, a0) << 12) | (p >>> 52); w0 = p & M;
        p = a02 * a1; u1 = (Math.multiplyHigh(a02, a1) << 12) | (p >>> 52); w1 = p & M;
        p = a02 * a2; u2 = (Math.multiplyHigh(a02, a2) << 12) | (p >>> 52); w2 = p & M;
        p = a1 * a1; u2 += (Math.multiplyHigh(a1, a1) << 12) | (p >>> 52); w2 += p & M;
        p = a02 * a3; u3 = (Math.multiplyHigh(a02, a3) << 12) | (p >>> 52); w3 = p & M;
        p = a12 * a2; u3 += (Math.multiplyHigh(a12, a2) << 12) | (p >>> 52); w3 += p & M;
        p = a02 * a4; u4 = (Math.multiplyHigh(a02, a4) << 12) | (p >>> 52); w4 = p & M;
        p = a12 * a3; u4 += (Math.multiplyHigh(a12, a3) << 12) | (p >>> 52); w4 += p & M;
        p = a2 * a2; u4 += (Math.multiplyHigh(a2, a2) << 12) | (p >>> 52); w4 += p & M;
        p = a12 * a4; u5 = (Math.multiplyHigh(a12, a4) << 12) | (p >>> 52); w5 = p & M;
        p = a22 * a3; u5 += (Math.multiplyHigh(a22, a3) << 12) | (p >>> 52); w5 += p & M;
        p = a22 * a4; u6 = (Math.multiplyHigh(a22, a4) << 12) | (p >>> 52); w6 = p & M;
        p = a3 * a3; u6 += (Math.multiplyHigh(a3, a3) << 12) | (p >>> 52); w6 += p & M;
        p = a32 * a4; u7 = (Math.multiplyHigh(a32, a4) << 12) | (p >>> 52); w7 = p & M;
        p = a4 * a4; u8 = (Math.multiplyHigh(a4, a4) << 12) | (p >>> 52); w8 = p & M;
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
        final long t1 = s1 + (l6 & M) + ((Math.multiplyHigh(s5, R) << 12) | (l5 >>> 52));
        final long t2 = s2 + (l7 & M) + ((Math.multiplyHigh(s6, R) << 12) | (l6 >>> 52));
        final long t3 = s3 + (l8 & M) + ((Math.multiplyHigh(s7, R) << 12) | (l7 >>> 52));
        final long t4 = s4 + (l9 & M) + ((Math.multiplyHigh(s8, R) << 12) | (l8 >>> 52));
        final long e = (Math.multiplyHigh(s9, R) << 12) | (l9 >>> 52);
        final long top = (t4 >>> 48) + (e << 4);
        final long v = (t0 & M) + top * 977 + ((top << 32) & M);
        r[0] = v & M;
        r[1] = (t1 & M) + (t0 >>> 52) + (v >>> 52) + (top >>> 20);
        r[2] = (t2 & M) + (t1 >>> 52);
        r[3] = (t3 & M) + (t2 >>> 52);
        r[4] = (t4 & M48) + (t3 >>> 52);
    }
}
