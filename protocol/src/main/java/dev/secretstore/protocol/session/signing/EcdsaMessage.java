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
 * Messages of the ECDSA signing session (HTTP endpoint 8; crypto.md §10.8, §11.5, SEC-14): an ACL
 * consensus of {@code 2t+1} holders, then per attempt three Feldman-verified nested sharings among the
 * group (nonce {@code k} and inversion nonce {@code e} of degree {@code t}, zero of degree {@code 2t}),
 * {@code u_i} with a DLEQ proof, {@code u⁻¹} back to the members, and one signature share each.
 */
public sealed interface EcdsaMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.ECDSA_SIGNING;
    }

    /** Master → every connected holder of the version (initialization); as {@link SchnorrMessage.ConsensusRequest}. */
    /** {@code block}: the chain block every member checks the ACL at ({@link dev.secretstore.protocol.acl.PinnedBlock}). */
    record ConsensusRequest(H256 keyId, Address requester, H256 version, H256 messageHash, List<NodeId> consensusGroup, long block)
            implements EcdsaMessage, ConsensusMessage.Request {
        public ConsensusRequest {
            consensusGroup = List.copyOf(consensusGroup);
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Holder → master: its own ACL decision. */
    record ConsensusResponse(boolean allowed) implements EcdsaMessage, ConsensusMessage.Response {}

    /** Master → the {@code 2t+1} members: run fresh nested sharings among {@code group}. */
    record NonceRequest(H256 attemptId, List<NodeId> group) implements EcdsaMessage, NonceMessage.Request {
        public NonceRequest {
            group = List.copyOf(group);
        }
    }

    /**
     * Member → master, the first answer to a nonce request: keccak256 of its own Feldman vector(s), bound to the
     * attempt and itself ({@link NonceSigningSession#commitmentHash}). No member reveals a vector before every
     * member of the group has committed this way.
     */
    record NonceHash(H256 attemptId, H256 hash) implements EcdsaMessage, NonceMessage.Hash {}

    /** Master → members: every member committed; the hashes by dealer. Now deal and send your vectors. */
    record NonceHashes(H256 attemptId, List<SchnorrMessage.VectorHash> hashes) implements EcdsaMessage, NonceMessage.Hashes {
        public NonceHashes {
            hashes = List.copyOf(hashes);
        }
    }

    /**
     * Member {@code i} → member {@code j}: Feldman vectors of {@code i}'s three polynomials ({@code t+1},
     * {@code t+1}, {@code 2t} points) and the secret shares {@code k_i(x_j)}, {@code e_i(x_j)}, {@code z_i(x_j)}.
     */
    record NonceDeal(H256 attemptId, List<PublicPoint> nonceVector, List<PublicPoint> inversionVector, List<PublicPoint> zeroVector,
                     SecretScalar nonceShare, SecretScalar inversionShare, SecretScalar zeroShare) implements EcdsaMessage, NonceMessage.Deal {
        public NonceDeal {
            nonceVector = List.copyOf(nonceVector);
            inversionVector = List.copyOf(inversionVector);
            zeroVector = List.copyOf(zeroVector);
        }

        @Override
        public List<List<PublicPoint>> vectors() {
            return List.of(nonceVector, inversionVector, zeroVector);
        }

        @Override
        public List<SecretScalar> shares() {
            return List.of(nonceShare, inversionShare, zeroShare);
        }

        @Override
        public String toString() {
            return "NonceDeal[attemptId=" + attemptId + ", shares=redacted]";
        }
    }

    /** Member → master: its own three Feldman vectors. */
    record NonceCommitment(H256 attemptId, List<PublicPoint> nonceVector, List<PublicPoint> inversionVector, List<PublicPoint> zeroVector)
            implements EcdsaMessage, NonceMessage.Commitment {
        public NonceCommitment {
            nonceVector = List.copyOf(nonceVector);
            inversionVector = List.copyOf(inversionVector);
            zeroVector = List.copyOf(zeroVector);
        }

        @Override
        public List<List<PublicPoint>> vectors() {
            return List.of(nonceVector, inversionVector, zeroVector);
        }
    }

    /** Member → master: every deal passed the Feldman checks; the hashes of the vector triples it saw. */
    record NonceReady(H256 attemptId, List<SchnorrMessage.VectorHash> received) implements EcdsaMessage, NonceMessage.Ready {
        public NonceReady {
            received = List.copyOf(received);
        }
    }

    /** Member → master: {@code dealer}'s deal failed a Feldman check. */
    record NonceComplaint(H256 attemptId, NodeId dealer) implements EcdsaMessage, NonceMessage.Complaint {}

    /** Master → members: vectors consistent; send {@code u_i}. */
    record URequest(H256 attemptId) implements EcdsaMessage {}

    /** Member → master: {@code u_i = k_i·e_i + z_i} and its DLEQ proof (64 bytes, tag {@code ecdsa-u}). */
    record UShare(H256 attemptId, Scalar u, byte[] proof) implements EcdsaMessage {}

    /** Master → members: {@code u⁻¹} (public); send your signature share. */
    record SignRequest(H256 attemptId, Scalar uInverse) implements EcdsaMessage {}

    /** Member → master: {@code ss_i = u⁻¹·e_i·(h + s_i·r)}. */
    record SignatureShare(H256 attemptId, Scalar share) implements EcdsaMessage {}

    /** Member → master: it will not take part in (or sign for) this attempt. */
    record Refused(H256 attemptId) implements EcdsaMessage, ConsensusMessage.Refused {}

    /** Master → every node asked: the request ended. */
    record Done(boolean success) implements EcdsaMessage, ConsensusMessage.Done {}
}
