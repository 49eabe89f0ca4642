package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.acl.PinnedBlock;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;
import java.util.Set;

/**
 * The ACL-consensus sub-protocol of every session that uses a key on a requester's behalf (document
 * key retrieval, Schnorr and ECDSA signing): one family, registered on the wire under each of those
 * session types ({@code dec.consensus.*}, {@code sch.consensus.*}, {@code ecd.consensus.*}).
 */
public sealed interface ConsensusMessage extends SessionMessage {
    /** The session types that compose this sub-protocol. */
    Set<SessionType> USED_BY = Set.of(SessionType.DECRYPTION, SessionType.SCHNORR_SIGNING, SessionType.ECDSA_SIGNING);

    @Override
    default SessionType sessionType() {
        throw new UnsupportedOperationException("the consensus messages belong to " + USED_BY);
    }

    @Override
    default boolean belongsTo(SessionType type) {
        return USED_BY.contains(type);
    }

    /**
     * Master → every connected holder of a candidate version (the session's initialization): may the requester
     * use {@code keyId} for {@code operation}? The master does not name the requester: it forwards the
     * requester's own {@code credential} (a static signature over the key id or a fresh authorization), and
     * every member derives the requester from it with its own {@link dev.secretstore.protocol.auth.RequesterCheck}
     * (SEC-31, SEC-32), binding {@code operation}, {@code keyId} and {@code messageHash} as the operation's
     * parameter (zero for decryption). {@code operation} is one the session type serves (decryption: endpoint 5
     * or 6; Schnorr: 7; ECDSA: 8). {@code versions} are the master's committed versions the
     * request may use, newest first (SEC-26); the master picks one only after the members said which of
     * them they hold committed. {@code messageHash} is the message to sign ({@link #NO_MESSAGE} for
     * decryption). {@code consensusGroup} lists every node asked (master included); later attempts may
     * name only these nodes. {@code block} is the chain block pinned for every member's ACL check
     * ({@link PinnedBlock}), or {@link #NO_BLOCK}.
     */
    record Request(H256 keyId, Credential credential, Operation operation, List<H256> versions, H256 messageHash,
                   List<NodeId> consensusGroup, long block)
            implements ConsensusMessage {
        /** No block pinned: members check at their own view. */
        public static final long NO_BLOCK = PinnedBlock.NONE;
        /** The message hash of a request that signs nothing (decryption). */
        public static final H256 NO_MESSAGE = H256.fromBytes(new byte[32]);

        public Request {
            versions = List.copyOf(versions);
            consensusGroup = List.copyOf(consensusGroup);
            if (versions.isEmpty()) throw new IllegalArgumentException("a consensus request names at least one version");
            if (block < NO_BLOCK) throw new IllegalArgumentException("block " + block);
            java.util.Objects.requireNonNull(credential, "credential");
            java.util.Objects.requireNonNull(operation, "operation");
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /**
     * Member → master: its own ACL decision, and which of the request's versions it holds committed
     * (and can use). A member holding none of them says no without asking its ACL.
     */
    record Response(boolean allowed, List<H256> committed) implements ConsensusMessage {
        public Response {
            committed = List.copyOf(committed);
        }

        /** An approval commits the member: it contributes only after it (SEC-29). */
        @Override
        public boolean isContribution() {
            return allowed;
        }
    }

    /** Member → master: it will not take part in (or contribute to) this attempt. */
    record Refused(H256 attemptId) implements ConsensusMessage {}

    /** Master → every node asked: the request ended; release everything. */
    record Done(boolean success) implements ConsensusMessage {}
}
