package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The id numbers of a key version: exactly one public scalar {@code x_i}, {@code 1 ≤ x_i < n}, per
 * holder, pairwise distinct (crypto.md §10.1, SEC-02). Immutable; iteration is by ascending node id.
 * Construction always validates, so holding an instance means the map is well formed.
 */
public final class IdNumbers {
    private final TreeMap<PublicPoint, Scalar> ids;

    private IdNumbers(TreeMap<PublicPoint, Scalar> ids) {
        this.ids = ids;
    }

    /**
     * Validates an id-number map received for the given participants (SEC-02): exactly one entry per
     * participant and no other, each non-zero (the {@link Scalar} type already guarantees {@code < n};
     * use {@link #decode} for raw bytes), pairwise distinct. A failure names the offending node.
     */
    public static IdNumbers validate(Collection<PublicPoint> participants, Map<PublicPoint, Scalar> idNumbers) {
        Set<PublicPoint> expected = new TreeSet<>(NodeIds.ORDER);
        for (PublicPoint p : participants) {
            if (!expected.add(p)) {
                throw NodeIds.invalid(p, "listed twice as a participant");
            }
        }
        if (expected.isEmpty()) {
            throw NodeIds.invalid("no participants");
        }
        TreeMap<PublicPoint, Scalar> sorted = new TreeMap<>(NodeIds.ORDER);
        Map<Scalar, PublicPoint> seen = new HashMap<>();
        for (Map.Entry<PublicPoint, Scalar> e : idNumbers.entrySet()) {
            PublicPoint node = e.getKey();
            Scalar x = e.getValue();
            if (!expected.contains(node)) {
                throw NodeIds.invalid(node, "has an id number but is not a participant");
            }
            if (x == null || x.isZero()) {
                throw NodeIds.invalid(node, "id number is zero (SEC-02)");
            }
            PublicPoint other = seen.put(x, node);
            if (other != null) {
                throw NodeIds.invalid(node, "id number duplicates that of " + NodeIds.label(other) + " (SEC-02)");
            }
            sorted.put(node, x);
        }
        for (PublicPoint p : expected) {
            if (!sorted.containsKey(p)) {
                throw NodeIds.invalid(p, "participant has no id number");
            }
        }
        return new IdNumbers(sorted);
    }

    /** Decodes a 32-byte id number sent for {@code node}: {@code 1 ≤ x < n}, never reduced (SEC-02). */
    public static Scalar decode(PublicPoint node, byte[] encoded) {
        try {
            return Scalar.fromBytesNonZero(encoded);
        } catch (CryptoException e) {
            throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, node, NodeIds.label(node) + ": invalid id number: " + e.getMessage(), e);
        }
    }

    /** Fresh uniformly random id numbers for the given nodes (a generation master's job, §10.1). */
    public static IdNumbers random(Collection<PublicPoint> nodes, SecureRandom rng) {
        Map<PublicPoint, Scalar> m = new HashMap<>();
        Set<Scalar> used = new java.util.HashSet<>();
        for (PublicPoint p : nodes) {
            m.put(p, freshDistinct(used, rng));
        }
        return validate(nodes, m);
    }

    /**
     * For redistribution: keeps the numbers of {@code keep} (taken from {@code old}) and draws fresh
     * random numbers, distinct from every number of {@code old}, for {@code added} (§10.1, §10.9).
     */
    public static IdNumbers redistribute(IdNumbers old, Collection<PublicPoint> keep, Collection<PublicPoint> added, SecureRandom rng) {
        Map<PublicPoint, Scalar> m = new HashMap<>();
        List<PublicPoint> all = new ArrayList<>();
        for (PublicPoint p : keep) {
            m.put(p, old.of(p));
            all.add(p);
        }
        Set<Scalar> used = new java.util.HashSet<>(old.ids.values());
        for (PublicPoint p : added) {
            if (m.containsKey(p)) {
                throw NodeIds.invalid(p, "is both kept and added");
            }
            m.put(p, freshDistinct(used, rng));
            all.add(p);
        }
        return validate(all, m);
    }

    private static Scalar freshDistinct(Set<Scalar> used, SecureRandom rng) {
        while (true) {
            SecretScalar r = SecretScalar.random(rng);
            Scalar x = r.reveal(); // id numbers are public
            r.destroy();
            if (used.add(x)) {
                return x;
            }
        }
    }

    /** The id number of {@code node}; {@code INVALID_ARGUMENT} naming the node if it is not a holder. */
    public Scalar of(PublicPoint node) {
        Scalar x = ids.get(node);
        if (x == null) {
            throw NodeIds.invalid(node, "is not a holder of this key version");
        }
        return x;
    }

    public boolean contains(PublicPoint node) {
        return ids.containsKey(node);
    }

    /** Holders in ascending node-id order. */
    public List<PublicPoint> nodes() {
        return List.copyOf(ids.keySet());
    }

    public Map<PublicPoint, Scalar> asMap() {
        return Collections.unmodifiableMap(ids);
    }

    public int size() {
        return ids.size();
    }

    /**
     * Key version hash (crypto.md §8): {@code keccak256(‖ over ascending node id of node_id(64) ‖ x(32))}.
     */
    public H256 versionHash() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<PublicPoint, Scalar> e : ids.entrySet()) {
            out.writeBytes(e.getKey().toBytes());
            out.writeBytes(e.getValue().toBytes());
        }
        return H256.keccak(out.toByteArray());
    }

    /**
     * Checks that {@code group} is a set of distinct holders of this version with exactly
     * {@code expectedSize} members (SEC-03) and returns it in ascending node-id order.
     */
    public List<PublicPoint> requireGroup(Collection<PublicPoint> group, int expectedSize) {
        TreeSet<PublicPoint> g = new TreeSet<>(NodeIds.ORDER);
        for (PublicPoint p : group) {
            of(p);
            if (!g.add(p)) {
                throw NodeIds.invalid(p, "listed twice in the group");
            }
        }
        if (g.size() != expectedSize) {
            throw NodeIds.invalid("group has " + g.size() + " members, expected exactly " + expectedSize + " (SEC-03)");
        }
        return List.copyOf(g);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdNumbers other && other.ids.equals(ids);
    }

    @Override
    public int hashCode() {
        return ids.hashCode();
    }

    @Override
    public String toString() {
        return "IdNumbers" + ids;
    }
}
