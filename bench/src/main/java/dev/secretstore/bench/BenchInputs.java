package dev.secretstore.bench;

import java.math.BigInteger;
import java.util.Random;

/** Seeded input generation shared by the benchmarks (reproducible inputs, no CSPRNG in setup). */
final class BenchInputs {
    /** Inputs per benchmark; a power of two so the cycling index is a mask. */
    static final int COUNT = 256;
    static final int MASK = COUNT - 1;

    private static final BigInteger N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

    private BenchInputs() {}

    /** A uniformly random key scalar 1 ≤ k < n, 32 bytes big-endian. */
    static byte[] key(Random rnd) {
        byte[] b = new byte[32];
        while (true) {
            rnd.nextBytes(b);
            BigInteger v = new BigInteger(1, b);
            if (v.signum() != 0 && v.compareTo(N) < 0) {
                return b;
            }
        }
    }

    static byte[] bytes(Random rnd, int length) {
        byte[] b = new byte[length];
        rnd.nextBytes(b);
        return b;
    }
}
