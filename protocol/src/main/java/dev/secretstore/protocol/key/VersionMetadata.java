package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The public part of one sharing of a server key (crypto.md §10.3.2): its identity, the id numbers of its
 * holders and the aggregated Feldman commitment vector A_0..A_t. Reading it never touches a secret share.
 *
 * <p><b>Identity.</b> The id is derived, never chosen freely, so it cannot disagree with the id numbers:
 * without a nonce it is Parity's version hash, keccak256 over ascending node id of (node id ‖ id number)
 * (crypto.md §8), which is what generation and servers set change produce; with a 32-byte nonce (e.g. the
 * id of the session that dealt it, the same on every holder) it is
 * keccak256({@value #NONCE_DOMAIN_TEXT}\0 ‖ nonce ‖ the same id-number encoding), so a new sharing with the
 * same holders and id numbers (a refresh, or a repeated attempt) has an id of its own.
 */
public final class VersionMetadata {
    static final String NONCE_DOMAIN_TEXT = "secretstore/v1/key-version";
    private static final byte[] NONCE_DOMAIN = (NONCE_DOMAIN_TEXT + "\0").getBytes(StandardCharsets.US_ASCII);

    private final H256 id;
    private final Optional<H256> nonce;
    private final SortedMap<NodeId, Scalar> idNumbers;
    private final List<PublicPoint> commitments;

    private VersionMetadata(Optional<H256> nonce, Map<NodeId, Scalar> idNumbers, List<PublicPoint> commitments) {
        if (idNumbers.isEmpty()) throw new IllegalArgumentException("a key version needs holders");
        if (commitments.isEmpty()) throw new IllegalArgumentException("a key version needs its commitment vector");
        this.nonce = Objects.requireNonNull(nonce, "nonce");
        this.idNumbers = Collections.unmodifiableSortedMap(new TreeMap<>(idNumbers));
        this.commitments = List.copyOf(commitments);
        this.id = deriveId(this.idNumbers, nonce);
    }

    /** A version identified by Parity's hash of its id numbers (generation, servers set change). */
    public static VersionMetadata of(Map<NodeId, Scalar> idNumbers, List<PublicPoint> commitments) {
        return new VersionMetadata(Optional.empty(), idNumbers, commitments);
    }

    /** A version whose id also depends on {@code nonce}, so it differs from every other sharing to the same id numbers. */
    public static VersionMetadata withNonce(Map<NodeId, Scalar> idNumbers, List<PublicPoint> commitments, H256 nonce) {
        return new VersionMetadata(Optional.of(nonce), idNumbers, commitments);
    }

    /**
     * A version as a store read it back: refused with {@link IllegalArgumentException} unless {@code storedId}
     * is the id derived from the id numbers and the nonce.
     */
    public static VersionMetadata restore(H256 storedId, Optional<H256> nonce, Map<NodeId, Scalar> idNumbers,
                                          List<PublicPoint> commitments) {
        VersionMetadata v = new VersionMetadata(nonce, idNumbers, commitments);
        if (!v.id.equals(storedId)) throw new IllegalArgumentException("version id does not match its id numbers");
        return v;
    }

    /**
     * The id a version with these id numbers and this nonce has (the class comment): Parity's hash without a nonce,
     * the nonce derivation with one. What a party that knows a version's id numbers and nonce, but not (yet) the
     * version, checks a claimed id against.
     */
    public static H256 deriveId(SortedMap<NodeId, Scalar> idNumbers, Optional<H256> nonce) {
        if (idNumbers.isEmpty()) throw new IllegalArgumentException("a key version needs holders");
        return nonce.isEmpty() ? parityHash(idNumbers) : nonceId(idNumbers, nonce.get());
    }

    /** Parity's key version hash: keccak256 over ascending node id of (node id ‖ id number) (crypto.md §8). */
    public static H256 parityHash(SortedMap<NodeId, Scalar> idNumbers) {
        return H256.fromBytes(Keccak256.hash(encode(new ByteArrayOutputStream(idNumbers.size() * 96), idNumbers)));
    }

    private static H256 nonceId(SortedMap<NodeId, Scalar> idNumbers, H256 nonce) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(NONCE_DOMAIN.length + 32 + idNumbers.size() * 96);
        buf.writeBytes(NONCE_DOMAIN);
        buf.writeBytes(nonce.toBytes());
        return H256.fromBytes(Keccak256.hash(encode(buf, idNumbers)));
    }

    private static byte[] encode(ByteArrayOutputStream buf, SortedMap<NodeId, Scalar> idNumbers) {
        idNumbers.forEach((node, x) -> {
            buf.writeBytes(node.toBytes());
            buf.writeBytes(x.toBytes());
        });
        return buf.toByteArray();
    }

    /** The version's identity (see the class comment); what sessions name a version by. */
    public H256 id() {
        return id;
    }

    /** The nonce the id was derived with; empty for Parity's hash. */
    public Optional<H256> nonce() {
        return nonce;
    }

    public SortedMap<NodeId, Scalar> idNumbers() {
        return idNumbers;
    }

    public List<PublicPoint> commitments() {
        return commitments;
    }

    public boolean isHolder(NodeId node) {
        return idNumbers.containsKey(node);
    }

    /** The threshold t implied by the commitment vector (length t+1). */
    public int threshold() {
        return commitments.size() - 1;
    }

    /** The commitment vector as the threshold math takes it. */
    public KeyCommitments keyCommitments() {
        return KeyCommitments.of(commitments);
    }

    /** The id numbers keyed by the holders' public keys, validated (SEC-02), as the threshold math takes them. */
    public IdNumbers thresholdIds() {
        return thresholdIds(idNumbers);
    }

    /** Id numbers keyed by node, re-keyed by the holders' public keys and validated (SEC-02). */
    public static IdNumbers thresholdIds(Map<NodeId, Scalar> idNumbers) {
        Map<PublicPoint, Scalar> m = new HashMap<>();
        idNumbers.forEach((node, x) -> m.put(node.publicKey(), x));
        return IdNumbers.validate(m.keySet(), m);
    }

    /** Y_m = Σ_k x_m^k · A_k for a holder m (public computation, one multi-scalar multiplication). */
    public PublicPoint publicShare(NodeId holder) {
        Scalar x = idNumbers.get(holder);
        if (x == null) throw new IllegalArgumentException("not a holder of this version: " + holder.shortId());
        return keyCommitments().publicShare(x);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionMetadata v && id.equals(v.id) && nonce.equals(v.nonce)
                && idNumbers.equals(v.idNumbers) && commitments.equals(v.commitments);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "VersionMetadata[id=" + id + ", holders=" + idNumbers.size() + ", t=" + threshold() + "]";
    }
}
