package dev.secretstore.crypto;

import java.util.Arrays;

/**
 * Parity's ECDH ({@code publickey/ecdh.rs}, crypto.md §5): the raw 32-byte x-coordinate of
 * {@code d·P}, not hashed. Constant time in {@code d} (SEC-06).
 */
public final class Ecdh {
    private Ecdh() {}

    /**
     * Returns the 32-byte big-endian x-coordinate of {@code d·P}. {@code P} is already validated by
     * {@link PublicPoint} (SEC-01). Like Parity, which imports the result as a key scalar, fails if the
     * x-coordinate is 0 ({@code ZERO_RESULT}) or ≥ n ({@code INVALID_SCALAR}); fails with
     * {@code ZERO_RESULT} if {@code d} is zero. The caller owns the returned secret and should zero it.
     *
     * @throws IllegalStateException if {@code d} has been destroyed
     */
    public static byte[] agree(SecretScalar d, PublicPoint p) {
        byte[] x = Secp256k1.mulSecretX(p.ecPoint(), d.live()); // constant-time in d
        if (x == null) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "ECDH product is the point at infinity");
        }
        int[] limbs = ModN.fromBytes(x);
        // Constant-time range checks; the outcome is public (failure aborts, probability ≈ 2^-128).
        int zero = ModN.isZeroMask(limbs);
        int belowN = ModN.ltN(limbs);
        Arrays.fill(limbs, 0);
        if (zero != 0) {
            Arrays.fill(x, (byte) 0);
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "ECDH x-coordinate is zero");
        }
        if (belowN == 0) {
            Arrays.fill(x, (byte) 0);
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "ECDH x-coordinate is not below the group order");
        }
        return x;
    }
}
