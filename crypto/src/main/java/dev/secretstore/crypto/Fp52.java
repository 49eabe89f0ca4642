package dev.secretstore.crypto;

import org.bouncycastle.math.raw.Mod;

/**
 * Arithmetic modulo the secp256k1 field prime p = 2²⁵⁶ − 2³² − 977 on five 52-bit limbs held in a
 * {@code long[5]} (the last limb 48 bits), the 64-bit layout of libsecp256k1 ({@code field_5x52}).
 *
 * <p>Java has no 128-bit integer. {@link #mul} and {@link #sqr} sum each column of the schoolbook
 * product (limb products below 2¹¹² at magnitude 8) in two longs that cannot overflow, with no carry
 * detection, so there is no branch and no comparison: {@code u = Σ multiplyHigh(x << 6, y << 6)} is
 * exactly {@code Σ ⌊x·y / 2⁵²⌋} (the operands stay below 2⁶³, where the signed
 * {@link Math#multiplyHigh} is exact; it is a C2 intrinsic on x86-64, and its Java fallback, used
 * before C2 compiles, branches only on the operands' signs, which are always clear here), and the sum of the products'
 * low 52-bit parts, below 2⁵⁵, is {@code Σ x·y − (u << 52)} computed modulo 2⁶⁴. Two multiplies
 * and two adds per limb product, like libsecp256k1's 128-bit accumulation. The reduction folds
 * 2²⁶⁰ ≡ R = 0x1000003D10 and 2²⁵⁶ ≡ 0x1000003D1 (mod p).
 *
 * <p>Magnitudes as in libsecp256k1: an element of magnitude m has limbs at most {@code 2·m·(2⁵²−1)}
 * ({@code 2·m·(2⁴⁸−1)} for the top one). {@link #mul} and {@link #sqr} accept magnitude ≤ 8 and
 * return magnitude 1; {@link #add} adds magnitudes; {@link #negate} with bound m takes magnitude ≤ m
 * and returns m+1. Everything here is branch-free and index-free in the values: carries are shifts
 * and masks, conditional moves use all-ones/all-zeros masks, and the final reduction in
 * {@link #normalize} is always applied (multiplied by a 0/1 flag). Inversion is BouncyCastle's
 * constant-time safegcd ({@link Mod#modOddInverse}). {@code Fp52Test} checks the arithmetic against
 * {@code BigInteger} at the magnitude bounds. Intermediate sums may exceed 2⁶³; all shifts that see
 * them are unsigned, so Java's wrapping {@code long} arithmetic equals C's {@code uint64_t} there.
 */
final class Fp52 {
    static final int LIMBS = 5;
    private static final long M = 0xFFFFFFFFFFFFFL;
    private static final long M48 = 0xFFFFFFFFFFFFL;
    private static final long R = 0x1000003D10L;
    /** R·2¹²: {@code multiplyHigh(s, R12)} is ⌊s·R / 2⁵²⌋ for s below 2⁶³. */
    private static final long R12 = R << 12;

    /** 2²⁵⁶ − p. */
    private static final long C = 0x1000003D1L;
    /** p as eight little-endian 32-bit words (BouncyCastle's {@code Nat256} order), for the inversion. */
    private static final int[] P32 = {
        0xFFFFFC2F, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    };

    private Fp52() {}

    static long[] create() {
        return new long[LIMBS];
    }

    static long[] one() {
        long[] r = new long[LIMBS];
        r[0] = 1;
        return r;
    }

    static void copy(long[] r, long[] a) {
        System.arraycopy(a, 0, r, 0, LIMBS);
    }

    /** 32 big-endian bytes, value below p (not checked here), to a normalized element. */
    static void fromBytes(long[] r, byte[] be) {
        int[] w = new int[8];
        for (int i = 0; i < 32; i++) {
            w[i >>> 2] |= (be[31 - i] & 0xff) << ((i & 3) << 3);
        }
        fromWords(r, w);
        java.util.Arrays.fill(w, 0);
    }

    /** Eight little-endian 32-bit words (value below p) to a normalized element. */
    static void fromWords(long[] r, int[] w) {
        long q0 = (w[0] & 0xFFFFFFFFL) | ((long) w[1] << 32);
        long q1 = (w[2] & 0xFFFFFFFFL) | ((long) w[3] << 32);
        long q2 = (w[4] & 0xFFFFFFFFL) | ((long) w[5] << 32);
        long q3 = (w[6] & 0xFFFFFFFFL) | ((long) w[7] << 32);
        r[0] = q0 & M;
        r[1] = ((q0 >>> 52) | (q1 << 12)) & M;
        r[2] = ((q1 >>> 40) | (q2 << 24)) & M;
        r[3] = ((q2 >>> 28) | (q3 << 36)) & M;
        r[4] = q3 >>> 16;
    }

    /** A normalized element to eight little-endian 32-bit words. */
    static void toWords(int[] w, long[] a) {
        long q0 = a[0] | (a[1] << 52);
        long q1 = (a[1] >>> 12) | (a[2] << 40);
        long q2 = (a[2] >>> 24) | (a[3] << 28);
        long q3 = (a[3] >>> 36) | (a[4] << 16);
        w[0] = (int) q0; w[1] = (int) (q0 >>> 32);
        w[2] = (int) q1; w[3] = (int) (q1 >>> 32);
        w[4] = (int) q2; w[5] = (int) (q2 >>> 32);
        w[6] = (int) q3; w[7] = (int) (q3 >>> 32);
    }

    /** A normalized element to 32 big-endian bytes. */
    static byte[] toBytes(long[] a) {
        int[] w = new int[8];
        toWords(w, a);
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            out[31 - i] = (byte) (w[i >>> 2] >>> ((i & 3) << 3));
        }
        java.util.Arrays.fill(w, 0);
        return out;
    }

    /** Fully reduces to the unique representative below p (magnitude ≤ 31 in), constant time. */
    static void normalize(long[] r) {
        normalizeWeak(r); // limbs within 52 bits (48 for the top, plus a possible carry into bit 256)
        long m = r[1] & r[2] & r[3];
        // x = 1 iff the value is ≥ p: a carry into bit 256, or every limb at its maximum and the low limb ≥ p's
        long x = (r[4] >>> 48) | (eq(r[4], M48) & eq(m, M) & gt(r[0], 0xFFFFEFFFFFC2EL));
        addTimesC(r, x); // always applied (x is 0 or 1): subtracts p by adding 2²⁵⁶ − p and dropping bit 256
        r[4] &= M48;
    }

    /** Reduces to magnitude 1 (limbs within 52 bits, value possibly ≥ p), constant time. */
    static void normalizeWeak(long[] r) {
        long x = r[4] >>> 48;
        r[4] &= M48;
        addTimesC(r, x);
    }

    /** r += x·(2²⁵⁶ − p), then one carry pass (limbs 0–3 end within 52 bits). */
    private static void addTimesC(long[] r, long x) {
        long t0 = r[0] + x * C;
        long t1 = r[1] + (t0 >>> 52);
        long t2 = r[2] + (t1 >>> 52);
        long t3 = r[3] + (t2 >>> 52);
        r[4] += t3 >>> 52;
        r[0] = t0 & M;
        r[1] = t1 & M;
        r[2] = t2 & M;
        r[3] = t3 & M;
    }

    /** 1 if the element is 0 mod p, else 0, without branching on it (magnitude ≤ 31). */
    static int normalizesToZero(long[] r) {
        long t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], t4 = r[4];
        long z0, z1;
        long x = t4 >>> 48; t4 &= M48;
        t0 += x * C;
        t1 += t0 >>> 52; t0 &= M; z0 = t0; z1 = t0 ^ 0x1000003D0L;
        t2 += t1 >>> 52; t1 &= M; z0 |= t1; z1 &= t1;
        t3 += t2 >>> 52; t2 &= M; z0 |= t2; z1 &= t2;
        t4 += t3 >>> 52; t3 &= M; z0 |= t3; z1 &= t3;
        z0 |= t4; z1 &= t4 ^ 0xF000000000000L;
        return (int) (eq(z0, 0) | eq(z1, M));
    }

    /** 1 if a == b (both below 2⁶³), else 0, branch-free. */
    private static long eq(long a, long b) {
        long d = a ^ b;
        return ((d | -d) >>> 63) ^ 1;
    }

    /** 1 if a > b (both below 2⁶³), else 0, branch-free. */
    private static long gt(long a, long b) {
        return (b - a) >>> 63;
    }

    /** r = −a, for a of magnitude ≤ m; the result has magnitude m + 1. */
    static void negate(long[] r, long[] a, int m) {
        long k = 2L * (m + 1);
        r[0] = 0xFFFFEFFFFFC2FL * k - a[0];
        r[1] = M * k - a[1];
        r[2] = M * k - a[2];
        r[3] = M * k - a[3];
        r[4] = M48 * k - a[4];
    }

    /** r += a (magnitudes add). */
    static void add(long[] r, long[] a) {
        r[0] += a[0];
        r[1] += a[1];
        r[2] += a[2];
        r[3] += a[3];
        r[4] += a[4];
    }

    /** r *= k for a small public k (magnitude multiplies by k). */
    static void mulInt(long[] r, int k) {
        r[0] *= k;
        r[1] *= k;
        r[2] *= k;
        r[3] *= k;
        r[4] *= k;
    }

    /** r = r/2 mod p (magnitude m becomes ⌊m/2⌋ + 1), constant time: adds p when r is odd, then shifts. */
    static void half(long[] r) {
        long t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], t4 = r[4];
        long mask = -(t0 & 1) >>> 12;
        t0 += 0xFFFFEFFFFFC2FL & mask;
        t1 += mask;
        t2 += mask;
        t3 += mask;
        t4 += mask >>> 4;
        r[0] = (t0 >>> 1) + ((t1 & 1) << 51);
        r[1] = (t1 >>> 1) + ((t2 & 1) << 51);
        r[2] = (t2 >>> 1) + ((t3 & 1) << 51);
        r[3] = (t3 >>> 1) + ((t4 & 1) << 51);
        r[4] = t4 >>> 1;
    }

    /** r = flag ? a : r, for flag 0 or 1, by masking (no branch on flag). */
    static void cmov(long[] r, long[] a, int flag) {
        long mask1 = -(long) flag;
        long mask0 = ~mask1;
        r[0] = (r[0] & mask0) | (a[0] & mask1);
        r[1] = (r[1] & mask0) | (a[1] & mask1);
        r[2] = (r[2] & mask0) | (a[2] & mask1);
        r[3] = (r[3] & mask0) | (a[3] & mask1);
        r[4] = (r[4] & mask0) | (a[4] & mask1);
    }

    /** r = a⁻¹ mod p (0 maps to 0), constant time (BouncyCastle's safegcd); output normalized. */
    static void inv(long[] r, long[] a) {
        long[] t = a.clone();
        normalize(t);
        int[] x = new int[8];
        int[] z = new int[8];
        toWords(x, t);
        Mod.modOddInverse(P32, x, z);
        fromWords(r, z);
        java.util.Arrays.fill(t, 0);
        java.util.Arrays.fill(x, 0);
        java.util.Arrays.fill(z, 0);
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
