package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import java.util.Arrays;

/**
 * A Chaum–Pedersen proof {@code e(32) ‖ z(32)} (crypto.md §11.1). Both scalars are {@code < n};
 * decoding never reduces.
 *
 * @param e the challenge
 * @param z the response
 */
public record DleqProof(Scalar e, Scalar z) {
    public static final int LENGTH = 64;

    /** Decodes 64 bytes sent by {@code prover}; {@code e ≥ n} or {@code z ≥ n} is rejected naming the prover. */
    public static DleqProof fromBytes(PublicPoint prover, byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw NodeIds.invalid(prover, "DLEQ proof must be 64 bytes");
        }
        try {
            return new DleqProof(Scalar.fromBytes(Arrays.copyOfRange(bytes, 0, 32)), Scalar.fromBytes(Arrays.copyOfRange(bytes, 32, 64)));
        } catch (CryptoException e) {
            throw NodeIds.fault(prover, "DLEQ proof scalar out of range");
        }
    }

    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        System.arraycopy(e.toBytes(), 0, out, 0, 32);
        System.arraycopy(z.toBytes(), 0, out, 32, 32);
        return out;
    }
}
