package dev.secretstore.protocol.session.generation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
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

    /** Master → all: generate key {@code keyId} of {@code author} with threshold {@code t} among the holders of {@code idNumbers}. */
    record Init(H256 keyId, Address author, int threshold, List<IdNumber> idNumbers) implements GenerationMessage {
        public Init {
            idNumbers = List.copyOf(idNumbers);
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Slave → master: session exists and accepted the init (barrier before any dealing). */
    record InitAck() implements GenerationMessage {}

    /** Slave → master: refused the init (key exists, participant set or id numbers wrong). */
    record Refused(SecretStoreException.Kind reason) implements GenerationMessage {}

    /** Master → all: every node has its session; deal now. */
    record Start() implements GenerationMessage {}

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

    /** A receiver's verdict on one dealer's vector: keccak of the vector as received, and whether it complains. */
    record Verdict(NodeId dealer, H256 vectorHash, boolean complaint) {}

    /** Round 2, receiver → all: one verdict per other dealer. */
    record Verdicts(List<Verdict> verdicts) implements GenerationMessage {
        public Verdicts {
            verdicts = List.copyOf(verdicts);
        }
    }

    /** A pair revealed in clear for a complaint by {@code complainer}. */
    record RevealedPair(NodeId complainer, SecretScalar f, SecretScalar g) {
        @Override
        public String toString() {
            return "RevealedPair[" + complainer.shortId() + "]";
        }
    }

    /** Round 3, dealer → all: pairs answering every complaint against it (possibly none; always sent). */
    record Reveal(List<RevealedPair> pairs) implements GenerationMessage {
        public Reveal {
            pairs = List.copyOf(pairs);
        }
    }

    /** Round 4, dealer → all: the Feldman vector A_i = f_i[k]·G. */
    record Feldman(List<PublicPoint> feldman) implements GenerationMessage {
        public Feldman {
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

    /** Round 4b, receiver → all: hashes of every other dealer's Feldman vector as received, and complaints. */
    record FeldmanVerdicts(List<Verdict> verdicts, List<FeldmanComplaint> complaints) implements GenerationMessage {
        public FeldmanVerdicts {
            verdicts = List.copyOf(verdicts);
            complaints = List.copyOf(complaints);
        }
    }

    /** Round 5, slave → master: result prepared durably (pending); hash of the public transcript. */
    record Prepared(H256 transcriptHash) implements GenerationMessage {}

    /** Master → all: every node prepared the same transcript; commit. */
    record Commit() implements GenerationMessage {}

    /** Slave → master: committed (the master answers the client only after every member did). */
    record Committed() implements GenerationMessage {}

    /** Any → all: the session failed; {@code culprits} names the blamed node (empty if none). */
    record Abort(SecretStoreException.Kind reason, List<NodeId> culprits) implements GenerationMessage {
        public Abort {
            culprits = List.copyOf(culprits);
        }
    }
}
