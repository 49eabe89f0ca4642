package dev.secretstore.protocol;

import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.PublicPoint;
import java.util.Arrays;

/**
 * A key server's identity: its 64-byte secp256k1 public key (crypto.md §2). Ordered by unsigned
 * lexicographic order of the 64 bytes, the order Parity uses for node sets and shadows.
 */
public record NodeId(PublicPoint publicKey) implements Comparable<NodeId> {
    public NodeId {
        if (publicKey == null) throw new NullPointerException("publicKey");
    }

    public static NodeId fromHex(String hex) {
        return new NodeId(PublicPoint.fromHex(hex));
    }

    public static NodeId fromBytes(byte[] bytes) {
        return new NodeId(PublicPoint.fromBytes(bytes));
    }

    public byte[] toBytes() {
        return publicKey.toBytes();
    }

    /** 128 lower-case hex digits without prefix (the form in {@code nodes = ["<id>@host:port"]}). */
    public String toHex() {
        return publicKey.toHex();
    }

    /** A short form for logs: the first 8 hex digits. */
    public String shortId() {
        return toHex().substring(0, 8);
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(toBytes(), o.toBytes());
    }

    @Override
    public String toString() {
        return Hex.encode(toBytes());
    }
}
