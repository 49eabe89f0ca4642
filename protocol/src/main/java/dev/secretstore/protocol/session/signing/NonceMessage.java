package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import java.util.List;

/**
 * The nonce-generation messages Schnorr and ECDSA signing share, as views that {@link NonceSigningSession}
 * handles once for both. Each scheme keeps its own records and wire names; a deal or commitment carries one
 * Feldman vector per nonce polynomial (Schnorr one, ECDSA three), in the scheme's fixed order. The views
 * add no field, so they do not change the encoding.
 */
public interface NonceMessage {
    /** Master → members of one attempt: run fresh nonce generations among {@code group}. */
    interface Request extends NonceMessage {
        H256 attemptId();

        List<NodeId> group();
    }

    /**
     * Member → master, before anyone reveals a vector: keccak256 of its own Feldman vectors, bound to the
     * attempt and the dealer (tag {@code secretstore/v1/nonce-commitment}, {@link NonceSigningSession#commitmentHash}).
     */
    interface Hash extends NonceMessage {
        H256 attemptId();

        H256 hash();
    }

    /** Master → members, once every member's hash arrived: the hashes by dealer; now reveal (deals and commitment). */
    interface Hashes extends NonceMessage {
        H256 attemptId();

        List<SchnorrMessage.VectorHash> hashes();
    }

    /** Dealer → one other member: the Feldman vectors and that member's secret shares, one per polynomial. */
    interface Deal extends NonceMessage {
        H256 attemptId();

        List<List<PublicPoint>> vectors();

        List<SecretScalar> shares();
    }

    /** Member → master: its own Feldman vectors. */
    interface Commitment extends NonceMessage {
        H256 attemptId();

        List<List<PublicPoint>> vectors();
    }

    /** Member → master: every deal arrived and passed its checks; what it saw of each dealer's vectors. */
    interface Ready extends NonceMessage {
        H256 attemptId();

        List<SchnorrMessage.VectorHash> received();
    }

    /** Member → master: {@code dealer}'s deal failed a check. */
    interface Complaint extends NonceMessage {
        H256 attemptId();

        NodeId dealer();
    }
}
