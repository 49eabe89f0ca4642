package dev.secretstore.crypto;

import org.bouncycastle.math.raw.Mod;

/**
 * Constant-time arithmetic modulo the secp256k1 group order n on 8 little-endian 32-bit limbs
 * (BouncyCastle's {@code Nat256} limb order). No branch and no memory index depends on an operand:
 * reductions use masks, multiplication is Montgomery (CIOS) followed by a masked subtraction, and
 * inversion is BouncyCastle's constant-time safegcd ({@link Mod#modOddInverse}).
 *
 * <p>All inputs must already be reduced ({@code < n}); every output is reduced. Used by
 * {@link SecretScalar}; public values use {@link Scalar}, which may be variable time (SEC-06).
 */
final class ModN {
    private static final long M32 = 0xFFFFFFFFL;

    /** n, little-endian limbs. */
    static final int[] N = {
        0xD0364141, 0xBFD25E8C, 0xAF48A03B, 0xBAAEDCE6,
        0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    };
    /** −n⁻¹ mod 2³². */
    private static final int N_PRIME = -Mod.inverse32(N[0]);
    /** R² mod n with R = 2²⁵⁶, so that montMul(montMul(x, y), R2) = x·y. */
    private static final int[] R2 = fromBytes(java.math.BigInteger.ONE.shiftLeft(512)
            .mod(Secp256k1.N).toByteArray());

    private ModN() {}

    /** Big-endian bytes (any length ≤ 33 with leading zeros or sign byte) to limbs; caller guarantees value < 2^256. */
    static int[] fromBytes(byte[] be) {
        int[] z = new int[8];
        int len = be.length;
        for (int i = 0; i < 32 && i < len; i++) {
            int b = be[len - 1 - i] & 0xff;
            z[i >>> 2] |= b << ((i & 3) << 3);
        }
        return z;
    }

    static byte[] toBytes(int[] x) {
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            out[31 - i] = (byte) (x[i >>> 2] >>> ((i & 3) << 3));
        }
        return out;
    }

    /** Returns -1 (all ones) if x < n, else 0, in constant time. */
    static int ltN(int[] x) {
        long borrow = 0;
        for (int i = 0; i < 8; i++) {
            borrow = (x[i] & M32) - (N[i] & M32) + (borrow >> 32);
        }
        return (int) (borrow >> 32); // -1 if x - n borrowed, i.e. x < n
    }

    /** Returns -1 if x == 0 else 0, constant time. */
    static int isZeroMask(int[] x) {
        int acc = 0;
        for (int i = 0; i < 8; i++) acc |= x[i];
        // acc == 0 -> ((acc | -acc) >>> 31) == 0
        return ((acc | -acc) >>> 31) - 1;
    }

    static int[] add(int[] x, int[] y) {
        int[] z = new int[8];
        long c = 0;
        for (int i = 0; i < 8; i++) {
            c += (x[i] & M32) + (y[i] & M32);
            z[i] = (int) c;
            c >>>= 32;
        }
        return reduceOnce(z, (int) c);
    }

    static int[] sub(int[] x, int[] y) {
        int[] z = new int[8];
        long b = 0;
        for (int i = 0; i < 8; i++) {
            b = (x[i] & M32) - (y[i] & M32) + (b >> 32);
            z[i] = (int) b;
        }
        int mask = (int) (b >> 32); // -1 if borrowed
        long c = 0;
        for (int i = 0; i < 8; i++) {
            c += (z[i] & M32) + (N[i] & mask & M32);
            z[i] = (int) c;
            c >>>= 32;
        }
        return z;
    }

    static int[] negate(int[] x) {
        return sub(new int[8], x);
    }

    static int[] mul(int[] x, int[] y) {
        return montMul(montMul(x, y), R2);
    }

    /**
     * x/2 mod n in constant time: {@code (x >> 1) + (x odd ? ⌊n/2⌋ + 1 : 0)}, which never exceeds
     * n − 1 for x < n (libsecp256k1's {@code secp256k1_scalar_half}).
     */
    static int[] half(int[] x) {
        int mask = -(x[0] & 1);
        int[] z = new int[8];
        long c = 0;
        for (int i = 0; i < 8; i++) {
            int shifted = (x[i] >>> 1) | (i < 7 ? x[i + 1] << 31 : 0); // i is public
            c += (shifted & M32) + (HALF_N_PLUS_ONE[i] & mask & M32);
            z[i] = (int) c;
            c >>>= 32;
        }
        return z;
    }

    /** ⌊n/2⌋ + 1 = (n + 1)/2, the inverse of 2 mod n. */
    private static final int[] HALF_N_PLUS_ONE = {
        0x681B20A1, 0xDFE92F46, 0x57A4501D, 0x5D576E73,
        0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x7FFFFFFF
    };

    /** x⁻¹ mod n; zero maps to zero (callers check {@link #isZeroMask} first). */
    static int[] inverse(int[] x) {
        int[] z = new int[8];
        Mod.modOddInverse(N, x, z);
        return z;
    }

    /** z = x (+ carry·2²⁵⁶) reduced by at most one subtraction of n, masked. Requires the value < 2n. */
    private static int[] reduceOnce(int[] z, int carry) {
        int[] d = new int[8];
        long b = 0;
        for (int i = 0; i < 8; i++) {
            b = (z[i] & M32) - (N[i] & M32) + (b >> 32);
            d[i] = (int) b;
        }
        int borrowed = (int) (b >> 32); // -1 if z < n (ignoring carry)
        // take d when carry != 0 or no borrow
        int useD = ~borrowed | -carry;
        for (int i = 0; i < 8; i++) {
            z[i] = (d[i] & useD) | (z[i] & ~useD);
        }
        return z;
    }

    /** Montgomery product x·y·R⁻¹ mod n (CIOS), constant time. */
    private static int[] montMul(int[] x, int[] y) {
        long[] t = new long[10];
        for (int i = 0; i < 8; i++) {
            long xi = x[i] & M32;
            long c = 0;
            for (int j = 0; j < 8; j++) {
                c += t[j] + xi * (y[j] & M32);
                t[j] = c & M32;
                c >>>= 32;
            }
            c += t[8];
            t[8] = c & M32;
            t[9] = c >>> 32;

            long m = (t[0] * (N_PRIME & M32)) & M32;
            c = t[0] + m * (N[0] & M32);
            c >>>= 32;
            for (int j = 1; j < 8; j++) {
                c += t[j] + m * (N[j] & M32);
                t[j - 1] = c & M32;
                c >>>= 32;
            }
            c += t[8];
            t[7] = c & M32;
            c >>>= 32;
            t[8] = t[9] + c;
            t[9] = 0;
        }
        int[] z = new int[8];
        for (int i = 0; i < 8; i++) z[i] = (int) t[i];
        return reduceOnce(z, (int) t[8]);
    }
}
