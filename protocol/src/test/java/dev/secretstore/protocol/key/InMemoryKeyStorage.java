package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.SecretStoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Test-only {@link KeyStorage}: the reference semantics, without durability. */
public final class InMemoryKeyStorage implements KeyStorage {
    private final Map<H256, KeyShare> committed = new HashMap<>();
    private final Map<H256, Pending> pending = new HashMap<>();
    private boolean failPrepares;

    /** Test hook: while set, every prepare throws {@code DATABASE} and writes nothing (a failing disk). */
    public synchronized void failPrepares(boolean fail) {
        this.failPrepares = fail;
    }

    private void checkDisk() {
        if (failPrepares) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "disk I/O error (injected)");
    }

    private static final class Pending {
        KeyShare newKey;
        DocumentKey documentKey;
        final List<KeyVersion> versions = new ArrayList<>();
    }

    @Override
    public synchronized Optional<KeyShare> get(H256 keyId) {
        return Optional.ofNullable(committed.get(keyId));
    }

    @Override
    public synchronized void prepareNewKey(KeyShare share) {
        checkDisk();
        if (committed.containsKey(share.keyId()) || pending.containsKey(share.keyId())) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key already exists");
        }
        pending.computeIfAbsent(share.keyId(), k -> new Pending()).newKey = share;
    }

    @Override
    public synchronized void prepareDocumentKey(H256 keyId, DocumentKey documentKey) {
        checkDisk();
        KeyShare share = committed.get(keyId);
        if (share == null) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "no such key");
        if (share.documentKey().isPresent()) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "document key already stored");
        pending.computeIfAbsent(keyId, k -> new Pending()).documentKey = documentKey;
    }

    @Override
    public synchronized void prepareVersion(H256 keyId, KeyVersion version) {
        checkDisk();
        KeyShare share = committed.get(keyId);
        if (share == null) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "no such key");
        Pending p = pending.get(keyId);
        boolean known = share.version(version.hash()).isPresent()
                || (p != null && p.versions.stream().anyMatch(v -> v.hash().equals(version.hash())));
        if (known) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "version already stored"); // SQLite: UNIQUE (key_id, version_hash)
        pending.computeIfAbsent(keyId, k -> new Pending()).versions.add(version);
    }

    @Override
    public synchronized void commit(H256 keyId) {
        Pending p = pending.remove(keyId);
        if (p == null) return;
        KeyShare share = p.newKey != null ? p.newKey : committed.get(keyId);
        if (p.documentKey != null) share = share.withDocumentKey(p.documentKey);
        if (!p.versions.isEmpty()) {
            List<KeyVersion> versions = new ArrayList<>(share.versions());
            versions.addAll(p.versions);
            share = new KeyShare(share.keyId(), share.author(), share.threshold(), share.publicKey(), share.documentKey(), versions);
        }
        committed.put(keyId, share);
    }

    @Override
    public synchronized void discard(H256 keyId) {
        pending.remove(keyId);
    }

    @Override
    public synchronized void removeVersion(H256 keyId, H256 versionHash) {
        KeyShare share = committed.get(keyId);
        if (share == null) return;
        List<KeyVersion> versions = new ArrayList<>(share.versions());
        versions.removeIf(v -> v.hash().equals(versionHash));
        if (versions.isEmpty()) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "cannot remove the last version");
        committed.put(keyId, new KeyShare(keyId, share.author(), share.threshold(), share.publicKey(), share.documentKey(), versions));
    }

    @Override
    public synchronized void removeKey(H256 keyId) {
        committed.remove(keyId);
        pending.remove(keyId);
    }

    @Override
    public synchronized Set<H256> pendingKeyIds() {
        return Set.copyOf(pending.keySet());
    }

    @Override
    public synchronized Set<H256> keyIds() {
        return Set.copyOf(committed.keySet());
    }

    @Override
    public void close() {}
}
