package dev.secretstore.crypto;

import java.util.Arrays;

/** A 20-byte Ethereum address, {@code keccak256(public)[12..32]}. */
public final class Address {
    public static final int LENGTH = 20;
    private final byte[] bytes;

    private Address(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Address fromBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "address must be 20 bytes, got " + bytes.length);
        }
        return new Address(bytes.clone());
    }

    /** Parses 40 hex digits, with or without {@code 0x}. */
    public static Address fromHex(String hex) {
        return new Address(Hex.decode(Hex.strip0x(hex), LENGTH));
    }

    public static Address of(PublicPoint publicKey) {
        return new Address(Arrays.copyOfRange(Keccak256.hash(publicKey.toBytes()), 12, 32));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** {@code 0x} + 40 lower-case hex digits. */
    public String toHex() {
        return Hex.encodePrefixed(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && Arrays.equals(bytes, a.bytes);
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
