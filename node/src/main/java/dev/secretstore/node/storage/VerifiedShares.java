package dev.secretstore.node.storage;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sealed shares (nonce ‖ ciphertext ‖ GCM tag, public bytes) that have already opened and passed the
 * SEC-11 own-share check in this process: a bounded set, least recently used entry evicted first.
 *
 * <p>Why a hit may skip the check: the associated data of a sealed share binds it to its key id, author,
 * threshold, Y, version hash and commitment vector ({@link SqliteKeyStorage#shareAad}). A sealed value that
 * opens again under the storage key therefore carries the same share under the same commitments as when it
 * passed, so the check (a fixed-base multiplication and the commitment evaluation per read) would give the
 * same answer. A value that differs in one byte is not in the set and is checked in full; nothing secret is
 * kept here.
 */
final class VerifiedShares {
    /** About 100 bytes per entry: 6.5 MB at capacity. */
    static final int DEFAULT_CAPACITY = 65_536;

    private final LinkedHashMap<ByteBuffer, Boolean> entries;

    VerifiedShares(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized boolean contains(byte[] sealed) {
        return entries.get(ByteBuffer.wrap(sealed)) != null;
    }

    synchronized void add(byte[] sealed) {
        entries.put(ByteBuffer.wrap(sealed.clone()), Boolean.TRUE);
    }

    synchronized int size() {
        return entries.size();
    }
}
