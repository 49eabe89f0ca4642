package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.protocol.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * One sharing of a server key (crypto.md §10.3.2) as this node holds it: the public {@link VersionMetadata}
 * (identity, holders' id numbers, commitment vector A_0..A_t from which every holder's public share is
 * derived, SEC-11) and this node's secret share. Whether the share matches the commitments is checked by
 * {@link OwnShare#verify}, which every {@link KeyStorage} applies.
 */
public final class KeyVersion {
    private final VersionMetadata metadata;
    private final SecretScalar share;

    /** A version identified by Parity's hash of its id numbers (generation, servers set change). */
    public KeyVersion(Map<NodeId, Scalar> idNumbers, SecretScalar share, List<PublicPoint> commitments) {
        this(VersionMetadata.of(idNumbers, commitments), share);
    }

    public KeyVersion(VersionMetadata metadata, SecretScalar share) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.share = Objects.requireNonNull(share, "share");
    }

    /** Parity's key version hash (crypto.md §8); see {@link VersionMetadata#parityHash}. */
    public static H256 versionHash(SortedMap<NodeId, Scalar> idNumbers) {
        return VersionMetadata.parityHash(idNumbers);
    }

    public VersionMetadata metadata() {
        return metadata;
    }

    /** The version's identity, {@link VersionMetadata#id()}. */
    public H256 id() {
        return metadata.id();
    }

    /** The version's identity under its wire name; the same as {@link #id()}. */
    public H256 hash() {
        return metadata.id();
    }

    public SortedMap<NodeId, Scalar> idNumbers() {
        return metadata.idNumbers();
    }

    public SecretScalar share() {
        return share;
    }

    public List<PublicPoint> commitments() {
        return metadata.commitments();
    }

    /** The id numbers keyed by the holders' public keys, validated (SEC-02), as the threshold math takes them. */
    public IdNumbers thresholdIds() {
        return metadata.thresholdIds();
    }

    /** The threshold t implied by the commitment vector (length t+1). */
    public int threshold() {
        return metadata.threshold();
    }

    /** The commitment vector as the threshold math takes it. */
    public KeyCommitments keyCommitments() {
        return metadata.keyCommitments();
    }

    /** Y_m = Σ_k x_m^k · A_k for a holder m (public computation, one multi-scalar multiplication). */
    public PublicPoint publicShare(NodeId holder) {
        return metadata.publicShare(holder);
    }

    @Override
    public String toString() {
        return "KeyVersion[hash=" + hash() + ", holders=" + idNumbers().size() + ", t=" + threshold() + "]";
    }
}
