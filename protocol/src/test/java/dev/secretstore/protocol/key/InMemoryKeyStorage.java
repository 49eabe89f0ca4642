package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test-only {@link KeyStorage}: the reference semantics, without durability. Opened for its node, it applies
 * the SEC-11 own-share check ({@link OwnShare#verify}) on every prepare and every share it hands out, as
 * the durable backend does; there is no unchecked mode, so fixtures store consistent sharings.
 */
public final class InMemoryKeyStorage implements KeyStorage {
    private final NodeId self;
    private final TreeMap<H256, KeyShare> committed = new TreeMap<>();
    private final Map<H256, Pending> pending = new HashMap<>();
    private boolean failPrepares;

    /** Test hook: while set, every prepare throws {@code DATABASE} and writes nothing (a failing disk). */
    public synchronized void failPrepares(boolean fail) {
        this.failPrepares = fail;
    }

    private void checkDisk() {
        if (failPrepares) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "disk I/O error (injected)");
    }

    /** Stored versions (immutable objects) that passed the check: a hit is the very same share and commitments. */
    private final Set<KeyVersion> checked = Collections.newSetFromMap(new IdentityHashMap<>());

    private static final class Pending {
        KeyShare newKey;
        DocumentKey documentKey;
        final List<KeyVersion> versions = new ArrayList<>();
    }

    /** The storage of node {@code self}, with the SEC-11 own-share check. */
    public InMemoryKeyStorage(NodeId self) {
        this.self = Objects.requireNonNull(self, "self");
    }

    @Override
    public synchronized Optional<KeyShare> get(H256 keyId) {
        KeyShare share = committed.get(keyId);
        if (share != null) share.versions().forEach(v -> check(keyId, v)); // every share handed out is checked
        return Optional.ofNullable(share);
    }

    @Override
    public synchronized Optional<KeyMetadata> metadata(H256 keyId) {
        return Optional.ofNullable(committed.get(keyId)).map(KeyShare::metadata);
    }

    @Override
    public synchronized Optional<KeyRead> read(H256 keyId, VersionSelector selector) {
        KeyShare share = committed.get(keyId);
        if (share == null) return Optional.empty();
        KeyMetadata metadata = share.metadata();
        Optional<OwnShare> own = selector.select(metadata)
                .flatMap(v -> share.version(v.id()))
                .map(v -> OwnShare.verify(self, keyId, v, memo(v)));
        return Optional.of(new KeyRead(metadata, own));
    }

    private OwnShare.Memo memo(KeyVersion v) {
        return new OwnShare.Memo() {
            @Override
            public boolean passedBefore() {
                return checked.contains(v);
            }

            @Override
            public void passed() {
                checked.add(v);
            }
        };
    }

    @Override
    public synchronized InventoryPage inventory(Optional<H256> after, int limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive");
        Map<H256, KeyShare> from = after.isPresent() ? committed.tailMap(after.get(), false) : committed;
        List<KeyMetadata> keys = from.values().stream().limit(limit).map(KeyShare::metadata).toList();
        Optional<H256> next = keys.size() == limit ? Optional.of(keys.get(limit - 1).keyId()) : Optional.empty();
        return new InventoryPage(keys, next);
    }

    private void check(H256 keyId, KeyVersion v) {
        OwnShare.verify(self, keyId, v, memo(v));
    }

    private static void requireNewVersionId(H256 keyId, List<KeyVersion> existing, KeyVersion v) {
        if (existing.stream().anyMatch(e -> e.id().equals(v.id()))) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key " + keyId.toHex() + " already has version " + v.id().toHex());
        }
    }

    @Override
    public synchronized void prepareNewKey(KeyShare share) {
        checkDisk();
        share.versions().forEach(v -> check(share.keyId(), v));
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
        check(keyId, version);
        KeyShare share = committed.get(keyId);
        if (share == null) throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "no such key");
        requireNewVersionId(keyId, share.versions(), version);
        Pending p = pending.get(keyId);
        if (p != null) requireNewVersionId(keyId, p.versions, version); // a refused prepare leaves no pending entry
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
