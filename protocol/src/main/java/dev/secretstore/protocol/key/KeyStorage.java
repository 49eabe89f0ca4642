package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import java.util.Optional;
import java.util.Set;

/**
 * Durable storage of key shares with two-phase writes (design decision 6, SEC-25, SEC-26).
 *
 * <p>Every write is first <em>prepared</em>: stored durably (fsync) but invisible to {@link #get};
 * it becomes visible only by {@link #commit}, which the session calls after the master confirmed
 * that every member prepared. {@link #discard} forgets a prepared write. A restarted node lists
 * its prepared writes with {@link #pendingKeyIds()} and resolves them with the master.
 *
 * <p>Implementations are thread-compatible; the node serialises calls. Every method either
 * completes durably or throws {@link dev.secretstore.protocol.SecretStoreException} with kind
 * {@code DATABASE}. Secret shares are encrypted at rest by the implementation.
 */
public interface KeyStorage extends AutoCloseable {

    /** The committed state of a key, if any. Prepared-only data is never returned. */
    Optional<KeyShare> get(H256 keyId);

    /** True if a committed key exists. */
    default boolean contains(H256 keyId) {
        return get(keyId).isPresent();
    }

    /** Durably prepares a new key (one version, no document key). Refused if the id is already committed or prepared. */
    void prepareNewKey(KeyShare share);

    /** Durably prepares a document key for a committed key that has none. */
    void prepareDocumentKey(H256 keyId, DocumentKey documentKey);

    /** Durably prepares an additional version of a committed key (share redistribution). Older versions stay. */
    void prepareVersion(H256 keyId, KeyVersion version);

    /** Makes every prepared write of this key visible, atomically. No-op if nothing is prepared. */
    void commit(H256 keyId);

    /** Forgets every prepared write of this key; committed data is untouched. */
    void discard(H256 keyId);

    /** Removes a committed version once every holder of a newer version has committed it (SEC-26). */
    void removeVersion(H256 keyId, H256 versionHash);

    /**
     * Forgets a committed key entirely (every version, the document key): a node that is no longer a
     * holder after a servers set change, once every new holder committed (SEC-26). No-op if absent;
     * prepared writes of the key are discarded too.
     */
    void removeKey(H256 keyId);

    /** Ids with prepared, uncommitted writes (for resolution after a restart). */
    Set<H256> pendingKeyIds();

    /** Ids of all committed keys. */
    Set<H256> keyIds();

    @Override
    void close();
}
