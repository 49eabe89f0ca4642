package dev.secretstore.crypto;

import java.util.Arrays;

/** 32 arbitrary bytes: a server key id, a message hash, a hash. All zeros is valid (crypto.md §2). */
public final class H256 implements Comparable<H256> {
    public static final int LENGTH = 32;
    private final byte[] bytes;

    private H256(byte[] bytes) {
        this.bytes = bytes;
    }

    public static H256 fromBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "H256 must be 32 bytes, got " + bytes.length);
        }
        return new H256(bytes.clone());
    }

    /** Parses 64 hex digits, with or without {@code 0x}. */
    public static H256 fromHex(String hex) {
        return new H256(Hex.decode(Hex.strip0x(hex), LENGTH));
    }

    public static H256 keccak(byte[]... parts) {
        return new H256(Keccak256.hash(parts));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public String toHex() {
        return Hex.encode(bytes);
    }

    @Override
    public int compareTo(H256 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof H256 h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
