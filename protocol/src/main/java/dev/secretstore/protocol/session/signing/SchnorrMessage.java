package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;

/**
 * The Schnorr signing round after the nested nonce sharing (HTTP endpoint 7; crypto.md §10.7, §11.4):
 * the master asks the group for partial signatures once every nonce vector agreed. The consensus
 * ({@link dev.secretstore.protocol.session.consensus.ConsensusMessage}) and the nonce sharing
 * ({@link dev.secretstore.protocol.session.dealing.DealingMessage}, one degree-{@code t} vector) are
 * their own families.
 */
public sealed interface SchnorrMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.SCHNORR_SIGNING;
    }

    /**
     * Master → a member whose partial did not come with its ready report: {@code R} is fixed; sign once with your nonce
     * (refused if it already did).
     */
    record PartialRequest(H256 attemptId) implements SchnorrMessage {}

    /** Member → master: {@code s_i} (crypto.md §10.7). */
    record Partial(H256 attemptId, Scalar partial) implements SchnorrMessage {}
}
