package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Scalar;
import java.util.Arrays;

/**
 * Parity's Schnorr signature {@code c(32) ‖ s(32)} (crypto.md §10.7; not BIP-340).
 *
 * @param c the challenge
 * @param s the response
 */
public record SchnorrSignature(Scalar c, Scalar s) {
    public static final int LENGTH = 64;

    public static SchnorrSignature fromBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "Schnorr signature must be 64 bytes, got " + bytes.length);
        }
        return new SchnorrSignature(Scalar.fromBytes(Arrays.copyOfRange(bytes, 0, 32)), Scalar.fromBytes(Arrays.copyOfRange(bytes, 32, 64)));
    }

    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        System.arraycopy(c.toBytes(), 0, out, 0, 32);
        System.arraycopy(s.toBytes(), 0, out, 32, 32);
        return out;
    }
}
