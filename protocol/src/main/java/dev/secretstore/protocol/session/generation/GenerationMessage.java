package dev.secretstore.protocol.session.generation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;

/**
 * Messages of the key generation session (crypto.md §10.3.2, SEC-10, SEC-25). Wire names are
 * {@code gen.*} in {@link dev.secretstore.protocol.codec.ClusterMessages}. Vectors travel as plain
 * point lists; {@link GenerationWire} maps them to the crypto module's types in one place.
 */
public sealed interface GenerationMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.KEY_GENERATION;
    }

    /** One holder's id number (a list of records instead of a map keyed by node id). */
    record IdNumber(NodeId node, Scalar x) {}

    /**
     * Master → participants: generate key {@code keyId} with threshold {@code t} for the requester of
     * {@code credential}, who becomes its author: the master forwards the requester's own credential for
     * {@code operation} (1, or 3 when the master also draws the document key) and every participant derives the
     * author from it itself, binding the threshold (SEC-31). {@code idNumbers}
     * names every configured member (the key's holder set); {@code participants} are the connected members that take
     * part now (the master among them); the others get their share later by repair (SEC-40).
     */
    record Init(H256 keyId, Credential credential, Operation operation, int threshold, List<IdNumber> idNumbers,
                List<NodeId> participants) implements GenerationMessage {
        public Init {
            java.util.Objects.requireNonNull(credential, "credential");
            java.util.Objects.requireNonNull(operation, "operation");
            idNumbers = List.copyOf(idNumbers);
            participants = List.copyOf(participants);
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Slave → master: session exists and accepted the init (barrier before any dealing). */
    record InitAck() implements GenerationMessage {
        /** The acceptance commits the member: it deals only after it (SEC-29). */
        @Override
        public boolean isContribution() {
            return true;
        }
    }

    /** Slave → master: refused the init (key exists, participant set or id numbers wrong). */
    record Refused(SecretStoreException.Kind reason) implements GenerationMessage {}

    /** Master → dealers: deal now; {@code dealers} are the participants that acknowledged the init. */
    record Start(List<NodeId> dealers) implements GenerationMessage {
        public Start {
            dealers = List.copyOf(dealers);
        }
    }

    /** Round 1, dealer → receiver: the dealer's Pedersen vector C_i and the receiver's pair (f_i(x_j), g_i(x_j)). */
    record Deal(List<PublicPoint> pedersen, SecretScalar f, SecretScalar g) implements GenerationMessage {
        public Deal {
            pedersen = List.copyOf(pedersen);
        }

        @Override
        public String toString() {
            return "Deal[pedersen=" + pedersen.size() + " points, pair redacted]";
        }
    }

    /** Master → a member that has not reported: report the deals now, a deal still missing is a complaint. */
    record Deadline() implements GenerationMessage {}

    /**
     * A receiver's verdict on one dealer's vector: keccak of the vector as received (all zero bytes when the deal
     * never arrived), and whether it complains (always, for a missing deal).
     */
    record Verdict(NodeId dealer, H256 vectorHash, boolean complaint) {}

    /** Round 2, receiver → master: one verdict per other dealer. */
    record Verdicts(List<Verdict> verdicts) implements GenerationMessage {
        public Verdicts {
            verdicts = List.copyOf(verdicts);
        }
    }

    /** A round-2 complaint of {@code complainer} against {@code dealer}, as the master relays it. */
    record Complaint(NodeId dealer, NodeId complainer) {}

    /** Master → dealers still in: the complaints every dealer must answer in clear. */
    record Complaints(List<Complaint> complaints) implements GenerationMessage {
        public Complaints {
            complaints = List.copyOf(complaints);
        }
    }

    /** A pair revealed in clear for a complaint by {@code complainer}. */
    record RevealedPair(NodeId complainer, SecretScalar f, SecretScalar g) {
        @Override
        public String toString() {
            return "RevealedPair[" + complainer.shortId() + "]";
        }
    }

    /** Round 3, dealer → master: its Pedersen vector and the pairs answering every complaint against it (possibly none). */
    record Reveal(List<PublicPoint> pedersen, List<RevealedPair> pairs) implements GenerationMessage {
        public Reveal {
            pedersen = List.copyOf(pedersen);
            pairs = List.copyOf(pairs);
        }
    }

    /** One dealer's vector as the master relays it. */
    record DealerVector(NodeId dealer, List<PublicPoint> points) {
        public DealerVector {
            points = List.copyOf(points);
        }
    }

    /** A pair a dealer revealed for the receiving complainer, relayed by the master. */
    record DealerPair(NodeId dealer, SecretScalar f, SecretScalar g) {
        @Override
        public String toString() {
            return "DealerPair[" + dealer.shortId() + "]";
        }
    }

    /**
     * Master → QUAL: the qualified set is fixed (GJKR): the dealers' Pedersen vectors, every complaint that was
     * resolved by a reveal, and the revealed pairs for the receiver's own complaints.
     */
    record Qual(List<DealerVector> pedersen, List<Complaint> complaints, List<DealerPair> revealed) implements GenerationMessage {
        public Qual {
            pedersen = List.copyOf(pedersen);
            complaints = List.copyOf(complaints);
            revealed = List.copyOf(revealed);
        }

        @Override
        public String toString() {
            return "Qual[" + pedersen.size() + " dealers, " + complaints.size() + " complaints]";
        }
    }

    /** Round 4, dealer → master: the Feldman vector A_i = f_i[k]·G. */
    record Feldman(List<PublicPoint> feldman) implements GenerationMessage {
        public Feldman {
            feldman = List.copyOf(feldman);
        }
    }

    /** Master → holders: the Feldman vectors of the QUAL dealers that sent a well-formed one. */
    record FeldmanAll(List<DealerVector> feldman) implements GenerationMessage {
        public FeldmanAll {
            feldman = List.copyOf(feldman);
        }
    }

    /** A Feldman complaint against {@code dealer}, carrying the complainer's pair in clear. */
    record FeldmanComplaint(NodeId dealer, SecretScalar f, SecretScalar g) {
        @Override
        public String toString() {
            return "FeldmanComplaint[" + dealer.shortId() + "]";
        }
    }

    /** Round 4b, holder → master: its Feldman complaints (possibly none; always sent). */
    record FeldmanVerdicts(List<FeldmanComplaint> complaints) implements GenerationMessage {
        public FeldmanVerdicts {
            complaints = List.copyOf(complaints);
        }
    }

    /** Master → holders: reveal the pairs you hold from these QUAL dealers, whose polynomials everyone reconstructs. */
    record Reconstruct(List<NodeId> dealers) implements GenerationMessage {
        public Reconstruct {
            dealers = List.copyOf(dealers);
        }
    }

    /** Holder → master: its Pedersen-verified pairs from the dealers being reconstructed. */
    record Shares(List<DealerPair> pairs) implements GenerationMessage {
        public Shares {
            pairs = List.copyOf(pairs);
        }
    }

    /** Master → holders: every QUAL dealer's Feldman vector (reconstructed ones included); compute, prepare, report. */
    record Final(List<DealerVector> feldman, List<NodeId> holders) implements GenerationMessage {
        public Final {
            feldman = List.copyOf(feldman);
            holders = List.copyOf(holders);
        }
    }

    /** Round 5, slave → master: result prepared durably (pending); hash of the public transcript. */
    record Prepared(H256 transcriptHash) implements GenerationMessage {}

    /** Master → all: every node prepared the same transcript; commit. */
    record Commit() implements GenerationMessage {}

    /** Slave → master: committed (the master answers the client only after every member did). */
    record Committed() implements GenerationMessage {}

    /**
     * Master → members: the session failed or the receiver is excluded; member → master: this member cannot go on.
     * {@code culprits} names the blamed nodes (empty if none).
     */
    record Abort(SecretStoreException.Kind reason, List<NodeId> culprits) implements GenerationMessage {
        public Abort {
            culprits = List.copyOf(culprits);
        }
    }
}
