package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import java.util.List;

/**
 * Messages of the document key retrieval session (HTTP endpoints 5 and 6): an ACL consensus among the
 * holders of one key version, then one or more decryption attempts, each with a fresh attempt id and
 * access key (crypto.md §10.5, §10.6, §11.3). Proofs travel as the 64 bytes {@code e ‖ z} of
 * {@link dev.secretstore.crypto.threshold.DleqProof}.
 */
public sealed interface DecryptionMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.DECRYPTION;
    }

    /**
     * Master → every connected holder of the version: may {@code requester} use {@code keyId}? Each node
     * answers from its own ACL (acl-and-config.md §1). {@code consensusGroup} lists every node asked
     * (master included); a later decryption request may name only these nodes. {@code block} is the
     * chain block the master pinned for every member's ACL check, or {@link #NO_BLOCK} when its ACL has
     * no chain (acl-and-config.md §2.3).
     */
    record ConsensusRequest(H256 keyId, Address requester, H256 version, List<NodeId> consensusGroup, long block)
            implements DecryptionMessage, ConsensusMessage.Request {
        /** No block pinned: members check at their own view. */
        public static final long NO_BLOCK = dev.secretstore.protocol.acl.PinnedBlock.NONE;

        public ConsensusRequest {
            consensusGroup = List.copyOf(consensusGroup);
            if (block < NO_BLOCK) throw new IllegalArgumentException("block " + block);
        }

        public ConsensusRequest(H256 keyId, Address requester, H256 version, List<NodeId> consensusGroup) {
            this(keyId, requester, version, consensusGroup, NO_BLOCK);
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Holder → master: its own decision (no if it lacks the version, the ACL denies or fails). */
    record ConsensusResponse(boolean allowed) implements DecryptionMessage, ConsensusMessage.Response {}

    /**
     * Master → members of one attempt: compute your partial for this group with access key {@code a}
     * (a secret; it only travels inside the encrypted transport). {@code requesterPublic} must belong to
     * the address the member approved.
     */
    record PartialRequest(H256 attemptId, List<NodeId> group, SecretScalar accessKey, boolean shadow, PublicPoint requesterPublic)
            implements DecryptionMessage {
        public PartialRequest {
            group = List.copyOf(group);
        }

        @Override
        public String toString() {
            return "PartialRequest[attemptId=" + attemptId + ", group=" + group + ", accessKey=redacted, shadow=" + shadow + "]";
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

    /** Member → master: this attempt's request does not match what the member approved; no partial. */
    record PartialRefused(H256 attemptId) implements DecryptionMessage, ConsensusMessage.Refused {}

    /** Master → every node asked: the request ended (successfully or not); release everything. */
    record Done(boolean success) implements DecryptionMessage, ConsensusMessage.Done {}
}
