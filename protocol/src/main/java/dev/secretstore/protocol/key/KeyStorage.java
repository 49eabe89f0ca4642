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
 * <p><b>Reads.</b> {@link #metadata} answers everything public about a key (author, t, Y, document key,
 * each committed version's id, id numbers and commitments) without unsealing a share; {@link #read} adds
 * this node's share of the one version a {@link VersionSelector} chooses, in the same single storage access;
 * {@link #inventory} pages through keys with their metadata and never unseals. {@link #get} unseals every
 * share of the key; sessions use the three reads above instead.
 *
 * <p><b>Own-share check (SEC-11).</b> Every backend applies {@link OwnShare#verify} for its node to each
 * version it prepares (refusing the write with {@code DATABASE}) and to each share it hands out, so a
 * share that does not match its commitment vector, or a version this node does not hold, fails the same
 * way whatever the backend. Versions are told apart by {@link VersionMetadata#id()}; two versions of a key
 * with the same id are refused, two with the same holders but different ids are not.
 *
 * <p>Implementations are thread-compatible; the node serialises calls. Every method either
 * completes durably or throws {@link dev.secretstore.protocol.SecretStoreException} with kind
 * {@code DATABASE}. Secret shares are encrypted at rest by the implementation.
 */
public interface KeyStorage extends AutoCloseable {

    /** The committed state of a key, if any. Prepared-only data is never returned. */
    Optional<KeyShare> get(H256 keyId);

    /** True if a committed key exists. Never unseals. */
    default boolean contains(H256 keyId) {
        return metadata(keyId).isPresent();
    }

    /** The committed public state of a key, if any: one storage access, no share unsealed. */
    Optional<KeyMetadata> metadata(H256 keyId);

    /**
     * The committed key's metadata and this node's checked share ({@link OwnShare}) of the version
     * {@code selector} picks from that metadata, in one storage access; only that one share is unsealed.
     * Empty if no committed key; {@link KeyRead#share()} is empty if the selector picks nothing.
     */
    Optional<KeyRead> read(H256 keyId, VersionSelector selector);

    /** {@link #read(H256, VersionSelector)} of the version with id {@code versionId}. */
    default Optional<KeyRead> read(H256 keyId, H256 versionId) {
        return read(keyId, VersionSelector.id(versionId));
    }

    /**
     * Up to {@code limit} committed keys with ids greater than {@code after} (from the first if empty), in
     * ascending key id order, with their metadata; no share is unsealed. One storage access per page.
     */
    InventoryPage inventory(Optional<H256> after, int limit);

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
