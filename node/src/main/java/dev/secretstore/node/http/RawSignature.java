package dev.secretstore.node.http;

import dev.secretstore.crypto.Hex;
import java.util.Arrays;

/**
 * The 65 bytes of a requester or administrator signature exactly as they appeared in the path.
 * Parsing checks only the length; whether {@code v} and {@code r‖s} are usable is decided at
 * recovery (http-api.md §4: a bad {@code v} is a 400 <em>with</em> a body, not a routing failure).
 */
public final class RawSignature {
    public static final int LENGTH = 65;
    private final byte[] bytes;

    private RawSignature(byte[] bytes) {
        this.bytes = bytes;
    }

    public static RawSignature of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("signature must be 65 bytes, got " + bytes.length);
        }
        return new RawSignature(bytes.clone());
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawSignature r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.encode(bytes);
    }
}
