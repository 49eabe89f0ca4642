package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;

/**
 * The decryption rounds of document key retrieval (HTTP endpoints 5 and 6): one or more attempts, each
 * with a fresh attempt id and access key (crypto.md §10.5, §10.6, §11.3). The ACL consensus before them
 * is its own family ({@link dev.secretstore.protocol.session.consensus.ConsensusMessage}). Proofs travel as the 64 bytes {@code e ‖ z} of
 * {@link dev.secretstore.crypto.threshold.DleqProof}.
 */
public sealed interface DecryptionMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.DECRYPTION;
    }

    /**
     * Master → members of one attempt: compute your partial of key {@code version} for this group with
     * access key {@code a} (a secret; it only travels inside the encrypted transport). {@code requesterPublic}
     * must be the key the member derived from the requester's credential, and {@code shadow} must match the operation
     * that credential authorized (6, or 5 without shadows; SEC-31); {@code version} must be one it holds committed.
     */
    record PartialRequest(H256 attemptId, List<NodeId> group, H256 version, SecretScalar accessKey, boolean shadow,
                          PublicPoint requesterPublic)
            implements DecryptionMessage {
        public PartialRequest {
            group = List.copyOf(group);
        }

        @Override
        public String toString() {
            return "PartialRequest[attemptId=" + attemptId + ", group=" + group + ", version=" + version + ", accessKey=redacted, shadow=" + shadow + "]";
        }
    }

    /** Member → master, non-shadow: {@code P_i} and its DLEQ proof (crypto.md §11.2). */
    record PartialResponse(H256 attemptId, PublicPoint shadowPoint, byte[] proof) implements DecryptionMessage {}

    /**
     * Member → master, shadow: {@code P_i}, {@code W_i = d_i·G}, the proof, and {@code ecies(requester, d_i)}
     * (145 bytes) that only the requester can open.
     */
    record ShadowPartialResponse(H256 attemptId, PublicPoint shadowPoint, PublicPoint w, byte[] proof, byte[] encryptedDecryptShadow)
            implements DecryptionMessage {}
}
