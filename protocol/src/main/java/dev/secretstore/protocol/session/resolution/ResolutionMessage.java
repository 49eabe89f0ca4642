package dev.secretstore.protocol.session.resolution;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.util.List;

/** Messages of the pending-write resolution session (SEC-25). */
public sealed interface ResolutionMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.PENDING_RESOLUTION;
    }

    /** A node with an undecided prepared write asks a peer what it has committed for this key. */
    record Query(H256 keyId) implements ResolutionMessage {
        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /**
     * The peer's committed state for the key: the hashes of its committed versions that list the asking
     * node as a holder (oldest first; empty if it has no such version or not the key), whether it has the
     * document key committed, and {@code undecided}: the peer still runs a session that may change this key
     * (it may be the master about to commit), so nothing may be concluded from it yet.
     */
    record Status(List<H256> versionsHeldByAsker, boolean documentKeyCommitted, boolean undecided) implements ResolutionMessage {
        public Status {
            versionsHeldByAsker = List.copyOf(versionsHeldByAsker);
        }
    }
}
