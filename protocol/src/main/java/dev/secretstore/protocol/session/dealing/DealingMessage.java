package dev.secretstore.protocol.session.dealing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;
import java.util.Set;

/**
 * The Feldman-dealing sub-protocol ({@link FeldmanDealing}): one family, registered on the wire under
 * each session type that composes it ({@code sch.dealing.*}, {@code ecd.dealing.*}, {@code ref.dealing.*}). A deal or
 * commitment carries one Feldman vector per sharing of the session, in the session's fixed order.
 */
public sealed interface DealingMessage extends SessionMessage {
    /** The session types that compose this sub-protocol. */
    Set<SessionType> USED_BY = Set.of(SessionType.SCHNORR_SIGNING, SessionType.ECDSA_SIGNING, SessionType.KEY_REFRESH);

    @Override
    default SessionType sessionType() {
        throw new UnsupportedOperationException("the dealing messages belong to " + USED_BY);
    }

    @Override
    default boolean belongsTo(SessionType type) {
        return USED_BY.contains(type);
    }

    H256 attemptId();

    /** Master → members of one attempt: deal fresh sharings among {@code group}, for the key {@code version}. */
    record Request(H256 attemptId, List<NodeId> group, H256 version) implements DealingMessage {
        public Request {
            group = List.copyOf(group);
        }
    }

    /**
     * Member → master, before anyone reveals a vector: keccak256 of its own Feldman vectors, bound to the
     * attempt and the dealer ({@link FeldmanDealing#commitmentHash}).
     */
    record Hash(H256 attemptId, H256 hash) implements DealingMessage {}

    /** Master → members, once every member's hash arrived: the hashes by dealer; now reveal. */
    record Hashes(H256 attemptId, List<VectorHash> hashes) implements DealingMessage {
        public Hashes {
            hashes = List.copyOf(hashes);
        }
    }

    /** Dealer → one other member: its Feldman vectors and that member's secret shares, one per sharing. */
    record Deal(H256 attemptId, List<List<PublicPoint>> vectors, List<SecretScalar> shares) implements DealingMessage {
        public Deal {
            vectors = vectors.stream().map(List::copyOf).toList();
            shares = List.copyOf(shares);
        }

        @Override
        public String toString() {
            return "Deal[attemptId=" + attemptId + ", vectors=" + vectors.size() + ", shares=redacted]";
        }
    }

    /** Member → master: its own Feldman vectors. */
    record Commitment(H256 attemptId, List<List<PublicPoint>> vectors) implements DealingMessage {
        public Commitment {
            vectors = vectors.stream().map(List::copyOf).toList();
        }
    }

    /** Member → master: every deal arrived and passed its checks; what it saw of each dealer's vectors. */
    record Ready(H256 attemptId, List<VectorHash> received) implements DealingMessage {
        public Ready {
            received = List.copyOf(received);
        }
    }

    /** Member → master: {@code dealer}'s deal failed a check. */
    record Complaint(H256 attemptId, NodeId dealer) implements DealingMessage {}

    /** The hash of dealer {@code dealer}'s vectors as one member saw them (equivocation check). */
    record VectorHash(NodeId dealer, H256 hash) {}
}
