package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;

/**
 * The ECDSA signing rounds after the nested sharings (HTTP endpoint 8; crypto.md §10.8, §11.5, SEC-14):
 * {@code u_i} with a DLEQ proof, {@code u⁻¹} back to the members, and one signature share each. The
 * consensus ({@link dev.secretstore.protocol.session.consensus.ConsensusMessage}) and the three
 * Feldman-verified sharings ({@link dev.secretstore.protocol.session.dealing.DealingMessage}: nonce
 * {@code k} and inversion nonce {@code e} of degree {@code t}, zero of degree {@code 2t}) are their own
 * families.
 */
public sealed interface EcdsaMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.ECDSA_SIGNING;
    }

    /** Master → a member whose {@code u_i} did not come with its ready report, once the sharings agreed: send it (once). */
    record URequest(H256 attemptId) implements EcdsaMessage {}

    /** Member → master: {@code u_i = k_i·e_i + z_i} and its DLEQ proof (64 bytes, tag {@code ecdsa-u}). */
    record UShare(H256 attemptId, Scalar u, byte[] proof) implements EcdsaMessage {}

    /** Master → members: {@code u⁻¹} (public); send your signature share. */
    record SignRequest(H256 attemptId, Scalar uInverse) implements EcdsaMessage {}

    /** Member → master: {@code ss_i = u⁻¹·e_i·(h + s_i·r)}. */
    record SignatureShare(H256 attemptId, Scalar share) implements EcdsaMessage {}
}
