package dev.secretstore.protocol.session.refresh;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;

/**
 * Messages of the key refresh ({@link KeyRefreshSession}) besides the Feldman dealing it composes
 * ({@code ref.dealing.*}). Every message after {@link Init} names the attempt it belongs to; the new version's
 * nonce is the attempt id, so every member derives the same version id.
 */
public sealed interface RefreshMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.KEY_REFRESH;
    }

    /** Master → every connected holder: refresh key {@code keyId}, whose latest version is {@code version}. */
    record Init(H256 keyId, H256 version) implements RefreshMessage {
        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Master → group, once the zero-sharings agreed: add them to your share and prepare the new version. */
    record Prepare(H256 attemptId) implements RefreshMessage {}

    /** Member → master: prepared durably the version with this id. */
    record Prepared(H256 attemptId, H256 version) implements RefreshMessage {}

    /** Member → master: will not take part in this attempt (cannot read its share, an unresolved write, a failed prepare). */
    record Refused(H256 attemptId, Kind reason) implements RefreshMessage {}

    /** Master → group: every member prepared; commit. */
    record Commit(H256 attemptId) implements RefreshMessage {}

    /** Member → master: committed. */
    record Committed(H256 attemptId) implements RefreshMessage {}

    /** Master → group: the attempt ends undecided; discard what it prepared (the session may go on with another attempt). */
    record AbortAttempt(H256 attemptId, Kind reason) implements RefreshMessage {}

    /** Master → group: every member committed {@code version}; remove the key's older versions with the same holders. */
    record Cleanup(H256 attemptId, H256 version) implements RefreshMessage {}

    /** Member → master: older versions removed. */
    record CleanedUp(H256 attemptId) implements RefreshMessage {}

    /** Master → every participant: the session is over. */
    record Done(boolean success) implements RefreshMessage {}
}
