package dev.secretstore.crypto;

import org.bouncycastle.math.raw.Mod;

/**
 * Arithmetic modulo the secp256k1 field prime p = 2²⁵⁶ − 2³² − 977 on ten 26-bit limbs held in a
 * {@code long[10]} (the last limb 22 bits), a Java port of libsecp256k1's {@code field_10x26_impl.h}.
 * Everything here is branch-free and index-free in the values: carries are propagated with shifts
 * and masks, conditional moves use all-ones/all-zeros masks, and the final reduction in
 * {@link #normalize} is always applied (multiplied by a 0/1 flag). Inversion is BouncyCastle's
 * constant-time safegcd ({@link Mod#modOddInverse}).
 *
 * <p>Lazy reduction, as in libsecp256k1: an element of <em>magnitude</em> m has limbs at most
 * {@code 2·m·(2²⁶−1)} ({@code 2·m·(2²²−1)} for the top one). {@link #mul} and {@link #sqr} accept
 * magnitude ≤ 8 and return magnitude 1; {@link #add} adds magnitudes; {@link #negate} with bound m
 * takes magnitude ≤ m and returns m+1. Callers (only {@link ConstantTimeGlv}) track magnitudes as
 * libsecp256k1 does; {@code Fp26Test} checks the arithmetic against {@code BigInteger} at the bounds.
 * The 64-bit intermediate sums of the multiplication may exceed 2⁶³; all shifts are unsigned, so
 * Java's wrapping {@code long} arithmetic equals C's {@code uint64_t} here.
 *
 * <p>No longer used in production: the multipliers run on {@link Fp52}. Kept in test scope only as the
 * baseline of the paired measurement {@link FieldMulPaired} (docs/benchmarks.md).
 */
final class Fp26 {
    static final int LIMBS = 10;
    private static final long M = 0x3FFFFFFL;
    private static final long R0 = 0x3D10L;
    private static final long R1 = 0x400L;
    /** p as eight little-endian 32-bit words (BouncyCastle's {@code Nat256} order), for the inversion. */
    private static final int[] P32 = {
        0xFFFFFC2F, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    };

    private Fp26() {}

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
    }

    /** Eight little-endian 32-bit words (value below p) to a normalized element. */
    static void fromWords(long[] r, int[] w) {
        for (int i = 0; i < LIMBS; i++) {
            int bit = 26 * i;
            int word = bit >>> 5;
            int shift = bit & 31;
            long v = (w[word] & 0xFFFFFFFFL) >>> shift;
            if (shift > 6 && word + 1 < 8) { // public: depends on the limb position only
                v |= (w[word + 1] & 0xFFFFFFFFL) << (32 - shift);
            }
            r[i] = v & M;
        }
    }

    /** A normalized element to eight little-endian 32-bit words. */
    static void toWords(int[] w, long[] a) {
        java.util.Arrays.fill(w, 0);
        for (int i = 0; i < LIMBS; i++) {
            int bit = 26 * i;
            int word = bit >>> 5;
            int shift = bit & 31;
            w[word] |= (int) (a[i] << shift);
            if (shift > 6 && word + 1 < 8) {
                w[word + 1] |= (int) (a[i] >>> (32 - shift));
            }
        }
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
        normalizeWeak(r); // limbs within 26 bits (22 for the top, plus a possible carry into bit 256)
        long m = r[2] & r[3] & r[4] & r[5] & r[6] & r[7] & r[8];
        // x = 1 iff the value is ≥ p: a carry into bit 256, or every limb at its maximum and the low part ≥ p's
        long x = (r[9] >>> 22) | (eq(r[9], 0x03FFFFFL) & eq(m, M) & gt(r[1] + 0x40L + ((r[0] + 0x3D1L) >>> 26), M));
        addTimesC(r, x); // always applied (x is 0 or 1): subtracts p by adding 2²⁵⁶ − p and dropping bit 256
        r[9] &= 0x03FFFFFL;
    }

    /** Reduces to magnitude 1 (limbs within 26 bits, value possibly ≥ p), constant time. */
    static void normalizeWeak(long[] r) {
        long x = r[9] >>> 22;
        r[9] &= 0x03FFFFFL;
        addTimesC(r, x);
    }

    /** r += x·(2²⁵⁶ − p) = x·0x1000003D1, then one carry pass (limbs 0–8 end within 26 bits). */
    private static void addTimesC(long[] r, long x) {
        r[0] += x * 0x3D1L;
        r[1] += x << 6;
        for (int i = 0; i < 9; i++) {
            r[i + 1] += r[i] >>> 26;
            r[i] &= M;
        }
    }

    /** 1 if the element is 0 mod p, else 0, without branching on it (magnitude ≤ 31). */
    static int normalizesToZero(long[] r) {
        long t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], t4 = r[4], t5 = r[5], t6 = r[6], t7 = r[7], t8 = r[8], t9 = r[9];
        long z0, z1;
        long x = t9 >>> 22; t9 &= 0x03FFFFFL;
        t0 += x * 0x3D1L; t1 += (x << 6);
        t1 += (t0 >>> 26); t0 &= M; z0 = t0; z1 = t0 ^ 0x3D0L;
        t2 += (t1 >>> 26); t1 &= M; z0 |= t1; z1 &= t1 ^ 0x40L;
        t3 += (t2 >>> 26); t2 &= M; z0 |= t2; z1 &= t2;
        t4 += (t3 >>> 26); t3 &= M; z0 |= t3; z1 &= t3;
        t5 += (t4 >>> 26); t4 &= M; z0 |= t4; z1 &= t4;
        t6 += (t5 >>> 26); t5 &= M; z0 |= t5; z1 &= t5;
        t7 += (t6 >>> 26); t6 &= M; z0 |= t6; z1 &= t6;
        t8 += (t7 >>> 26); t7 &= M; z0 |= t7; z1 &= t7;
        t9 += (t8 >>> 26); t8 &= M; z0 |= t8; z1 &= t8;
        z0 |= t9; z1 &= t9 ^ 0x3C00000L;
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
        r[0] = 0x3FFFC2FL * k - a[0];
        r[1] = 0x3FFFFBFL * k - a[1];
        r[2] = 0x3FFFFFFL * k - a[2];
        r[3] = 0x3FFFFFFL * k - a[3];
        r[4] = 0x3FFFFFFL * k - a[4];
        r[5] = 0x3FFFFFFL * k - a[5];
        r[6] = 0x3FFFFFFL * k - a[6];
        r[7] = 0x3FFFFFFL * k - a[7];
        r[8] = 0x3FFFFFFL * k - a[8];
        r[9] = 0x03FFFFFL * k - a[9];
    }

    /** r += a (magnitudes add). */
    static void add(long[] r, long[] a) {
        for (int i = 0; i < LIMBS; i++) {
            r[i] += a[i];
        }
    }

    /** r *= k for a small public k (magnitude multiplies by k). */
    static void mulInt(long[] r, int k) {
        for (int i = 0; i < LIMBS; i++) {
            r[i] *= k;
        }
    }

    /** r = r/2 mod p (magnitude m becomes ⌊m/2⌋ + 1), constant time: adds p when r is odd, then shifts. */
    static void half(long[] r) {
        long t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], t4 = r[4], t5 = r[5], t6 = r[6], t7 = r[7], t8 = r[8], t9 = r[9];
        long mask = -(t0 & 1) & M;
        t0 += 0x3FFFC2FL & mask;
        t1 += 0x3FFFFBFL & mask;
        t2 += mask;
        t3 += mask;
        t4 += mask;
        t5 += mask;
        t6 += mask;
        t7 += mask;
        t8 += mask;
        t9 += mask >>> 4;
        r[0] = (t0 >>> 1) + ((t1 & 1) << 25);
        r[1] = (t1 >>> 1) + ((t2 & 1) << 25);
        r[2] = (t2 >>> 1) + ((t3 & 1) << 25);
        r[3] = (t3 >>> 1) + ((t4 & 1) << 25);
        r[4] = (t4 >>> 1) + ((t5 & 1) << 25);
        r[5] = (t5 >>> 1) + ((t6 & 1) << 25);
        r[6] = (t6 >>> 1) + ((t7 & 1) << 25);
        r[7] = (t7 >>> 1) + ((t8 & 1) << 25);
        r[8] = (t8 >>> 1) + ((t9 & 1) << 25);
        r[9] = t9 >>> 1;
    }

    /** r = flag ? a : r, for flag 0 or 1, by masking (no branch on flag). */
    static void cmov(long[] r, long[] a, int flag) {
        long mask1 = -(long) flag;
        long mask0 = ~mask1;
        for (int i = 0; i < LIMBS; i++) {
            r[i] = (r[i] & mask0) | (a[i] & mask1);
        }
    }

    /** r = a·b mod p; inputs of magnitude ≤ 8, output magnitude 1. r may alias a or b. */
    static void mul(long[] r, long[] a, long[] b) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9];
        final long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7], b8 = b[8], b9 = b[9];
        long c, d;
        long u0, u1, u2, u3, u4, u5, u6, u7, u8;
        long t9, t0, t1, t2, t3, t4, t5, t6, t7;
        d = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0;
        t9 = d & M; d >>>= 26;
        c = a0 * b0;
        d += a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1;
        u0 = d & M; d >>>= 26; c += u0 * R0;
        t0 = c & M; c >>>= 26; c += u0 * R1;
        c += a0 * b1 + a1 * b0;
        d += a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2;
        u1 = d & M; d >>>= 26; c += u1 * R0;
        t1 = c & M; c >>>= 26; c += u1 * R1;
        c += a0 * b2 + a1 * b1 + a2 * b0;
        d += a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 + a8 * b4 + a9 * b3;
        u2 = d & M; d >>>= 26; c += u2 * R0;
        t2 = c & M; c >>>= 26; c += u2 * R1;
        c += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
        d += a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 + a8 * b5 + a9 * b4;
        u3 = d & M; d >>>= 26; c += u3 * R0;
        t3 = c & M; c >>>= 26; c += u3 * R1;
        c += a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
        d += a5 * b9 + a6 * b8 + a7 * b7 + a8 * b6 + a9 * b5;
        u4 = d & M; d >>>= 26; c += u4 * R0;
        t4 = c & M; c >>>= 26; c += u4 * R1;
        c += a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0;
        d += a6 * b9 + a7 * b8 + a8 * b7 + a9 * b6;
        u5 = d & M; d >>>= 26; c += u5 * R0;
        t5 = c & M; c >>>= 26; c += u5 * R1;
        c += a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0;
        d += a7 * b9 + a8 * b8 + a9 * b7;
        u6 = d & M; d >>>= 26; c += u6 * R0;
        t6 = c & M; c >>>= 26; c += u6 * R1;
        c += a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0;
        d += a8 * b9 + a9 * b8;
        u7 = d & M; d >>>= 26; c += u7 * R0;
        t7 = c & M; c >>>= 26; c += u7 * R1;
        c += a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0;
        d += a9 * b9;
        u8 = d & M; d >>>= 26; c += u8 * R0;
        r[3] = t3; r[4] = t4; r[5] = t5; r[6] = t6; r[7] = t7;
        finish(r, c, d, u8, t0, t1, t2, t9);
    }

    /** r = a² mod p; input magnitude ≤ 8, output magnitude 1. r may alias a. */
    static void sqr(long[] r, long[] a) {
        final long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9];
        long c, d;
        long u0, u1, u2, u3, u4, u5, u6, u7, u8;
        long t9, t0, t1, t2, t3, t4, t5, t6, t7;
        d = (a0 * 2) * a9 + (a1 * 2) * a8 + (a2 * 2) * a7 + (a3 * 2) * a6 + (a4 * 2) * a5;
        t9 = d & M; d >>>= 26;
        c = a0 * a0;
        d += (a1 * 2) * a9 + (a2 * 2) * a8 + (a3 * 2) * a7 + (a4 * 2) * a6 + a5 * a5;
        u0 = d & M; d >>>= 26; c += u0 * R0;
        t0 = c & M; c >>>= 26; c += u0 * R1;
        c += (a0 * 2) * a1;
        d += (a2 * 2) * a9 + (a3 * 2) * a8 + (a4 * 2) * a7 + (a5 * 2) * a6;
        u1 = d & M; d >>>= 26; c += u1 * R0;
        t1 = c & M; c >>>= 26; c += u1 * R1;
        c += (a0 * 2) * a2 + a1 * a1;
        d += (a3 * 2) * a9 + (a4 * 2) * a8 + (a5 * 2) * a7 + a6 * a6;
        u2 = d & M; d >>>= 26; c += u2 * R0;
        t2 = c & M; c >>>= 26; c += u2 * R1;
        c += (a0 * 2) * a3 + (a1 * 2) * a2;
        d += (a4 * 2) * a9 + (a5 * 2) * a8 + (a6 * 2) * a7;
        u3 = d & M; d >>>= 26; c += u3 * R0;
        t3 = c & M; c >>>= 26; c += u3 * R1;
        c += (a0 * 2) * a4 + (a1 * 2) * a3 + a2 * a2;
        d += (a5 * 2) * a9 + (a6 * 2) * a8 + a7 * a7;
        u4 = d & M; d >>>= 26; c += u4 * R0;
        t4 = c & M; c >>>= 26; c += u4 * R1;
        c += (a0 * 2) * a5 + (a1 * 2) * a4 + (a2 * 2) * a3;
        d += (a6 * 2) * a9 + (a7 * 2) * a8;
        u5 = d & M; d >>>= 26; c += u5 * R0;
        t5 = c & M; c >>>= 26; c += u5 * R1;
        c += (a0 * 2) * a6 + (a1 * 2) * a5 + (a2 * 2) * a4 + a3 * a3;
        d += (a7 * 2) * a9 + a8 * a8;
        u6 = d & M; d >>>= 26; c += u6 * R0;
        t6 = c & M; c >>>= 26; c += u6 * R1;
        c += (a0 * 2) * a7 + (a1 * 2) * a6 + (a2 * 2) * a5 + (a3 * 2) * a4;
        d += (a8 * 2) * a9;
        u7 = d & M; d >>>= 26; c += u7 * R0;
        t7 = c & M; c >>>= 26; c += u7 * R1;
        c += (a0 * 2) * a8 + (a1 * 2) * a7 + (a2 * 2) * a6 + (a3 * 2) * a5 + a4 * a4;
        d += a9 * a9;
        u8 = d & M; d >>>= 26; c += u8 * R0;
        r[3] = t3; r[4] = t4; r[5] = t5; r[6] = t6; r[7] = t7;
        finish(r, c, d, u8, t0, t1, t2, t9);
    }

    /** The last carries of {@link #mul} and {@link #sqr}: folds the high part d back with R0/R1 and writes r[0..2], r[8], r[9]. */
    private static void finish(long[] r, long c, long d, long u8, long t0, long t1, long t2, long t9) {
        r[8] = c & M; c >>>= 26; c += u8 * R1;
        c += d * R0 + t9;
        r[9] = c & (M >>> 4); c >>>= 22; c += d * (R1 << 4);
        d = c * (R0 >>> 4) + t0;
        r[0] = d & M; d >>>= 26;
        d += c * (R1 >>> 4) + t1;
        r[1] = d & M; d >>>= 26;
        d += t2;
        r[2] = d;
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
}
