package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.SecretStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Test-only {@link KeyStorage} around another one that records which shares are unsealed: each {@link #read}
 * (one share) is listed by key id, each {@link #get} (every share of a key) is counted and, while
 * {@link #refuseGet} is set, refused with {@code DATABASE} as a store that cannot unseal would. Lets a test
 * show that a session unseals only the shares its computation needs ("inventories never unseal").
 */
public final class CountingKeyStorage implements KeyStorage {
    private int metadataReads;
    private final KeyStorage inner;
    private final List<H256> reads = new ArrayList<>();
    private int gets;
    private boolean refuseGet;

    public CountingKeyStorage(KeyStorage inner) {
        this.inner = inner;
    }

    public KeyStorage inner() {
        return inner;
    }

    /** While set, {@link #get} throws {@code DATABASE} (after counting the call). */
    public synchronized void refuseGet(boolean refuse) {
        this.refuseGet = refuse;
    }

    /** Key ids of every {@link #read} so far, in order. */
    public synchronized List<H256> reads() {
        return List.copyOf(reads);
    }

    /** Calls of {@link #get} so far. */
    public synchronized int gets() {
        return gets;
    }

    public synchronized void resetCounts() {
        metadataReads = 0;
        reads.clear();
        gets = 0;
    }

    @Override
    public synchronized Optional<KeyShare> get(H256 keyId) {
        gets++;
        if (refuseGet) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key " + keyId.toHex() + ": unsealing every share refused (test)");
        }
        return inner.get(keyId);
    }

    @Override
    public synchronized Optional<KeyMetadata> metadata(H256 keyId) {
        metadataReads++;
        return inner.metadata(keyId);
    }

    /** How many {@link #metadata} reads since the last {@link #resetCounts}. */
    public synchronized int metadataReads() {
        return metadataReads;
    }

    @Override
    public synchronized Optional<KeyRead> read(H256 keyId, VersionSelector selector) {
        reads.add(keyId);
        return inner.read(keyId, selector);
    }

    @Override
    public InventoryPage inventory(Optional<H256> after, int limit) {
        return inner.inventory(after, limit);
    }

    @Override
    public void prepareNewKey(KeyShare share) {
        inner.prepareNewKey(share);
    }

    @Override
    public void prepareDocumentKey(H256 keyId, DocumentKey documentKey) {
        inner.prepareDocumentKey(keyId, documentKey);
    }

    @Override
    public void prepareVersion(H256 keyId, KeyVersion version) {
        inner.prepareVersion(keyId, version);
    }

    @Override
    public void commit(H256 keyId) {
        inner.commit(keyId);
    }

    @Override
    public void discard(H256 keyId) {
        inner.discard(keyId);
    }

    @Override
    public void removeVersion(H256 keyId, H256 versionHash) {
        inner.removeVersion(keyId, versionHash);
    }

    @Override
    public void removeKey(H256 keyId) {
        inner.removeKey(keyId);
    }

    @Override
    public Set<H256> pendingKeyIds() {
        return inner.pendingKeyIds();
    }

    @Override
    public Set<H256> keyIds() {
        return inner.keyIds();
    }

    @Override
    public void close() {
        inner.close();
    }
}
