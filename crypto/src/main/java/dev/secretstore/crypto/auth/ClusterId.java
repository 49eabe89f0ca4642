package dev.secretstore.crypto.auth;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The cluster's identity in a fresh authorization (docs/auth.md §3): 32 public bytes every member computes
 * the same way, so an authorization made for one cluster is refused by every other.
 */
public final class ClusterId {
    /** Tag of an identity derived from the member list. */
    public static final String MEMBERS_TAG = "secretstore/v1/cluster-members";
    /** Tag of an identity derived from a configured name. */
    public static final String NAME_TAG = "secretstore/v1/cluster-name";

    private ClusterId() {}

    /** keccak256(MEMBERS_TAG ‖ 0x00 ‖ node ids, 64 bytes each, ascending unsigned, duplicates removed). */
    public static H256 ofMembers(Collection<PublicPoint> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("a cluster has at least one member");
        TreeSet<byte[]> sorted = new TreeSet<>(Arrays::compareUnsigned);
        for (PublicPoint m : members) sorted.add(m.toBytes());
        byte[][] parts = new byte[sorted.size() + 1][];
        parts[0] = tag(MEMBERS_TAG);
        int i = 1;
        for (byte[] id : sorted) parts[i++] = id;
        return H256.keccak(parts);
    }

    /** keccak256(NAME_TAG ‖ 0x00 ‖ UTF-8 name); the name must not be blank. */
    public static H256 ofName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a cluster name must not be blank");
        return H256.keccak(tag(NAME_TAG), name.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] tag(String tag) {
        byte[] ascii = tag.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(ascii, ascii.length + 1);
    }
}
