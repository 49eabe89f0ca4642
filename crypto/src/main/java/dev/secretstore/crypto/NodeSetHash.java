package dev.secretstore.crypto;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The ordered nodes hash (crypto.md §8; Parity {@code servers_set_change_access_job.rs}, RPC
 * {@code secretstore_serversSetHash}): keccak256 over the 64-byte node ids of the <em>set</em>
 * (duplicates removed), concatenated in ascending unsigned lexicographic byte order. Public data.
 */
public final class NodeSetHash {
    private NodeSetHash() {}

    /**
     * Hashes the set of node ids. The input order and duplicates do not matter; an empty collection
     * hashes to {@code keccak256("")}. Null elements are rejected with {@link NullPointerException}.
     */
    public static H256 of(Collection<PublicPoint> nodes) {
        TreeSet<byte[]> sorted = new TreeSet<>(Arrays::compareUnsigned);
        for (PublicPoint node : nodes) {
            sorted.add(node.toBytes());
        }
        return H256.keccak(sorted.toArray(new byte[0][]));
    }
}
