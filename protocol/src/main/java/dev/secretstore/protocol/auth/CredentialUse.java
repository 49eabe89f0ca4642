package dev.secretstore.protocol.auth;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.session.SessionKey;

/**
 * What a member spends a fresh authorization's nonce on ({@link RequesterCheck#claim}'s {@code use}, docs/auth.md §4):
 * the session that serves the request, except for endpoint 3, whose one request runs two sessions on the master (the
 * generation, then the store of the document key the master drew): both spend it on {@link DocumentKeyGeneration} of
 * the key, so the second session is not taken for a replay of the first. A replay of an endpoint-3 authorization can
 * only generate or store the same key again, which every member refuses (already generated, already stored).
 */
public final class CredentialUse {
    private CredentialUse() {}

    /** The one use of endpoint 3 on {@code keyId}. */
    public record DocumentKeyGeneration(H256 keyId) {}

    /** The use of {@code operation} on {@code keyId} in {@code session}. */
    public static Object of(SessionKey session, Operation operation, H256 keyId) {
        return operation == Operation.GENERATE_DOCUMENT_KEY ? new DocumentKeyGeneration(keyId) : session;
    }
}
