package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import java.util.List;

/**
 * Messages of the Schnorr signing session (HTTP endpoint 7; crypto.md §10.7, §11.4): an ACL consensus
 * among the holders of one key version, then one or more attempts, each with a fresh attempt id and a
 * fresh nested nonce generation among the group (Feldman-verified, §10.3.4, §10.3.5), then one partial
 * signature per member and nonce (SEC-08, SEC-13).
 */
public sealed interface SchnorrMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.SCHNORR_SIGNING;
    }

    /**
     * Master → every connected holder of the version: may {@code requester} sign {@code messageHash}
     * with {@code keyId}? {@code consensusGroup} lists every node asked (master included); later
     * attempts may only name these nodes, and members exchange nonce deals only among them.
     */
    /** {@code block}: the chain block every member checks the ACL at ({@link dev.secretstore.protocol.acl.PinnedBlock}). */
    record ConsensusRequest(H256 keyId, Address requester, H256 version, H256 messageHash, List<NodeId> consensusGroup, long block)
            implements SchnorrMessage, ConsensusMessage.Request {
        public ConsensusRequest {
            consensusGroup = List.copyOf(consensusGroup);
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Holder → master: its own ACL decision (no if it lacks the version, the ACL denies or fails). */
    record ConsensusResponse(boolean allowed) implements SchnorrMessage, ConsensusMessage.Response {}

    /** Master → members of one attempt ({@code t+1} nodes): run a fresh nested nonce generation among {@code group}. */
    record NonceRequest(H256 attemptId, List<NodeId> group) implements SchnorrMessage, NonceMessage.Request {
        public NonceRequest {
            group = List.copyOf(group);
        }
    }

    /**
     * Member → master, the first answer to a nonce request: keccak256 of its own Feldman vector(s), bound to the
     * attempt and itself ({@link NonceSigningSession#commitmentHash}). No member reveals a vector before every
     * member of the group has committed this way.
     */
    record NonceHash(H256 attemptId, H256 hash) implements SchnorrMessage, NonceMessage.Hash {}

    /** Master → members: every member committed; the hashes by dealer. Now deal and send your vectors. */
    record NonceHashes(H256 attemptId, List<VectorHash> hashes) implements SchnorrMessage, NonceMessage.Hashes {
        public NonceHashes {
            hashes = List.copyOf(hashes);
        }
    }

    /**
     * Member {@code i} → member {@code j}: dealer {@code i}'s Feldman vector {@code A_i} ({@code t+1}
     * points) and the secret share {@code f_i(x_j)} (travels only inside the encrypted transport).
     */
    record NonceDeal(H256 attemptId, List<PublicPoint> feldman, SecretScalar share) implements SchnorrMessage, NonceMessage.Deal {
        public NonceDeal {
            feldman = List.copyOf(feldman);
        }

        @Override
        public List<List<PublicPoint>> vectors() {
            return List.of(feldman);
        }

        @Override
        public List<SecretScalar> shares() {
            return List.of(share);
        }

        @Override
        public String toString() {
            return "NonceDeal[attemptId=" + attemptId + ", feldman=" + feldman.size() + " points, share=redacted]";
        }
    }

    /** Member → master: its own Feldman vector {@code A_i}; {@code R_i = A_{i,0}}. */
    record NonceCommitment(H256 attemptId, List<PublicPoint> feldman) implements SchnorrMessage, NonceMessage.Commitment {
        public NonceCommitment {
            feldman = List.copyOf(feldman);
        }

        @Override
        public List<List<PublicPoint>> vectors() {
            return List.of(feldman);
        }
    }

    /** The hash of dealer {@code dealer}'s Feldman vector as one member received it (equivocation check). */
    record VectorHash(NodeId dealer, H256 hash) {}

    /** Member → master: every other member's deal arrived and passed the Feldman check; the vectors it saw. */
    record NonceReady(H256 attemptId, List<VectorHash> received) implements SchnorrMessage, NonceMessage.Ready {
        public NonceReady {
            received = List.copyOf(received);
        }
    }

    /** Member → master: {@code dealer}'s deal failed the Feldman check (or was malformed). */
    record NonceComplaint(H256 attemptId, NodeId dealer) implements SchnorrMessage, NonceMessage.Complaint {}

    /** Master → members: every vector was consistent; send your one partial signature for this attempt's nonce. */
    record PartialRequest(H256 attemptId) implements SchnorrMessage {}

    /** Member → master: {@code ps_i = r_i − c·L_i·s_i}. */
    record Partial(H256 attemptId, Scalar partial) implements SchnorrMessage {}

    /** Member → master: it will not take part in (or sign for) this attempt. */
    record Refused(H256 attemptId) implements SchnorrMessage, ConsensusMessage.Refused {}

    /** Master → every node asked: the request ended; release everything. */
    record Done(boolean success) implements SchnorrMessage, ConsensusMessage.Done {}
}
