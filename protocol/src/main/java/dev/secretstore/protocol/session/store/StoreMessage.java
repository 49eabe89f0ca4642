package dev.secretstore.protocol.session.store;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;

/** Messages of the document key store session (prepare, then commit; SEC-25). */
public sealed interface StoreMessage extends SessionMessage {
    @Override
    default SessionType sessionType() {
        return SessionType.DOCUMENT_KEY_STORE;
    }

    /**
     * Master → holders: check and durably prepare this document key. The master forwards the requester's own
     * {@code credential} for {@code operation} (2, or 3 when the master generated the key and the document key in
     * one request): every holder derives the requester from it and checks it is the key's author (SEC-31).
     */
    record Init(H256 keyId, Credential credential, Operation operation, PublicPoint commonPoint, PublicPoint encryptedPoint)
            implements StoreMessage {
        public Init {
            java.util.Objects.requireNonNull(credential, "credential");
            java.util.Objects.requireNonNull(operation, "operation");
        }

        @Override
        public boolean isInitialization() {
            return true;
        }
    }

    /** Holder → master: prepared durably. */
    record Prepared() implements StoreMessage {
        /** The holder's promise to keep the document key (SEC-29). */
        @Override
        public boolean isContribution() {
            return true;
        }
    }

    /** Holder → master: refused, with the reason the holder found. */
    record Refused(SecretStoreException.Kind reason) implements StoreMessage {}

    /** Master → holders: every holder prepared; make it visible. */
    record Commit() implements StoreMessage {}

    /** Holder → master: committed (the master answers the client only after every holder did). */
    record Committed() implements StoreMessage {}

    /** Master → holders: forget what you prepared. */
    record Abort() implements StoreMessage {}
}
