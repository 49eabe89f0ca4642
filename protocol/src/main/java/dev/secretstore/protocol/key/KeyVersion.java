package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One sharing of a server key (crypto.md §10.3.2): the id numbers of its holders, this node's secret
 * share, and the aggregated Feldman commitment vector A_0..A_t from which every holder's public share
 * is derived (SEC-11). The version hash is derived, never stored separately, so it cannot disagree
 * with the id numbers.
 */
public final class KeyVersion {
    private final SortedMap<NodeId, Scalar> idNumbers;
    private final SecretScalar share;
    private final List<PublicPoint> commitments;
    private final H256 hash;

    public KeyVersion(Map<NodeId, Scalar> idNumbers, SecretScalar share, List<PublicPoint> commitments) {
        if (idNumbers.isEmpty()) throw new IllegalArgumentException("a key version needs holders");
        if (commitments.isEmpty()) throw new IllegalArgumentException("a key version needs its commitment vector");
        this.idNumbers = Collections.unmodifiableSortedMap(new TreeMap<>(idNumbers));
        this.share = share;
        this.commitments = List.copyOf(commitments);
        this.hash = versionHash(this.idNumbers);
    }

    /** Parity's key version hash: keccak256 over ascending node id of (node id ‖ id number) (crypto.md §8). */
    public static H256 versionHash(SortedMap<NodeId, Scalar> idNumbers) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(idNumbers.size() * 96);
        idNumbers.forEach((node, x) -> {
            buf.writeBytes(node.toBytes());
            buf.writeBytes(x.toBytes());
        });
        return H256.fromBytes(Keccak256.hash(buf.toByteArray()));
    }

    public H256 hash() {
        return hash;
    }

    public SortedMap<NodeId, Scalar> idNumbers() {
        return idNumbers;
    }

    public SecretScalar share() {
        return share;
    }

    public List<PublicPoint> commitments() {
        return commitments;
    }

    /** The id numbers keyed by the holders' public keys, validated (SEC-02), as the threshold math takes them. */
    public IdNumbers thresholdIds() {
        Map<PublicPoint, Scalar> m = new HashMap<>();
        idNumbers.forEach((node, x) -> m.put(node.publicKey(), x));
        return IdNumbers.validate(m.keySet(), m);
    }

    /** The threshold t implied by the commitment vector (length t+1). */
    public int threshold() {
        return commitments.size() - 1;
    }

    /** The commitment vector as the threshold math takes it. */
    public KeyCommitments keyCommitments() {
        return KeyCommitments.of(commitments);
    }

    /** Y_m = Σ_k x_m^k · A_k for a holder m (public computation, one multi-scalar multiplication). */
    public PublicPoint publicShare(NodeId holder) {
        Scalar x = idNumbers.get(holder);
        if (x == null) throw new IllegalArgumentException("not a holder of this version: " + holder.shortId());
        return keyCommitments().publicShare(x);
    }

    @Override
    public String toString() {
        return "KeyVersion[hash=" + hash + ", holders=" + idNumbers.size() + ", t=" + threshold() + "]";
    }
}
