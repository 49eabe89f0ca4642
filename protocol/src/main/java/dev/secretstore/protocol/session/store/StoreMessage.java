package dev.secretstore.protocol.session.store;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;

/** Messages of the document key store session (prepare, then commit; SEC-25). */
public sealed interface StoreMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.DOCUMENT_KEY_STORE;
    }

    /** Master → holders: check and durably prepare this document key. */
    record Init(H256 keyId, Address requester, PublicPoint commonPoint, PublicPoint encryptedPoint) implements StoreMessage {
        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Holder → master: prepared durably. */
    record Prepared() implements StoreMessage {}

    /** Holder → master: refused, with the reason the holder found. */
    record Refused(SecretStoreException.Kind reason) implements StoreMessage {}

    /** Master → holders: every holder prepared; make it visible. */
    record Commit() implements StoreMessage {}

    /** Holder → master: committed (the master answers the client only after every holder did). */
    record Committed() implements StoreMessage {}

    /** Master → holders: forget what you prepared. */
    record Abort() implements StoreMessage {}
}
