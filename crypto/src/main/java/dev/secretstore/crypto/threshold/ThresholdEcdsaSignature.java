package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.Scalar;

/**
 * A threshold ECDSA result in the client format {@code r(32) ‖ s(32) ‖ v(1)} (crypto.md §10.8
 * step 6, §2): low-s, {@code v} the recovery id.
 *
 * @param r {@code R.X mod n}
 * @param s the low-s value
 * @param v recovery id in {@code 0..3}
 */
public record ThresholdEcdsaSignature(Scalar r, Scalar s, int v) {
    public static final int LENGTH = 65;

    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        System.arraycopy(r.toBytes(), 0, out, 0, 32);
        System.arraycopy(s.toBytes(), 0, out, 32, 32);
        out[64] = (byte) v;
        return out;
    }
}
