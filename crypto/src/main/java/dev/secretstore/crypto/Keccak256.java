package dev.secretstore.crypto;

import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The original Keccak-256 used by Ethereum (padding 0x01), not FIPS-202 SHA3-256 (crypto.md §3).
 */
public final class Keccak256 {
    private Keccak256() {}

    public static byte[] hash(byte[]... parts) {
        KeccakDigest digest = new KeccakDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    /** The 4-byte ABI function selector of a canonical signature such as {@code checkPermissions(address,bytes32)}. */
    public static byte[] selector(String canonicalSignature) {
        byte[] h = hash(canonicalSignature.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOf(h, 4);
    }
}
