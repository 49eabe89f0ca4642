package dev.secretstore.node.storage;

import dev.secretstore.protocol.key.OwnShare;
import java.nio.ByteBuffer;

/**
 * The sealed shares that have already opened and passed the SEC-11 own-share check in this process,
 * remembered by their 16-byte AES-GCM tag in a bounded two-way set-associative table (32 bytes per set,
 * doubled while it holds more than one entry per two sets, up to {@code maxEntries} entries; a third entry
 * in a set makes it forget the older of the two).
 *
 * <p>Why a hit may skip the check: it is consulted only after the sealed value opened, and the associated
 * data of a sealed share binds it to its key id, author, threshold, Y, version hash and commitment vector
 * ({@link SqliteKeyStorage#shareAad}). Two values that both open under the storage key and carry the same
 * tag are, but with probability 2⁻¹²⁸, the same nonce, ciphertext and associated data: the same share
 * under the same commitments as when it passed, so the check (a fixed-base multiplication and the
 * commitment evaluation per read) would give the same answer. A value whose tag differs is checked in
 * full; nothing secret is kept here (tags are public bytes of the stored rows).
 */
final class VerifiedShares {
    /** A million entries in 16 MB once grown to the bound: most of a store of a million keys stays remembered. */
    static final int DEFAULT_MAX_ENTRIES = 1 << 20;
    private static final int INITIAL_SETS = 1 << 10;
    private static final int TAG_LENGTH = 16;

    private final int maxSets;
    /** Set i at 4i: way 0 (hi, lo), the more recently added, then way 1 (hi, lo); (0, 0) is empty. */
    private long[] table = new long[4 * INITIAL_SETS];
    private int entries;

    VerifiedShares(int maxEntries) {
        if (maxEntries < 2) throw new IllegalArgumentException("capacity must be at least 2");
        this.maxSets = Math.max(1, Integer.highestOneBit(maxEntries) / 2);
        if (maxSets < INITIAL_SETS) table = new long[4 * maxSets];
    }

    synchronized boolean contains(byte[] sealed) {
        ByteBuffer tag = tag(sealed);
        long hi = tag.getLong();
        long lo = tag.getLong();
        return (hi | lo) != 0 && holds(4 * set(lo, table.length / 4), hi, lo);
    }

    synchronized void add(byte[] sealed) {
        ByteBuffer tag = tag(sealed);
        long hi = tag.getLong();
        long lo = tag.getLong();
        if ((hi | lo) == 0) return; // the empty marker is never remembered
        if (2 * entries >= table.length / 4 && table.length / 4 < maxSets) grow(); // below the bound, at most one entry per two sets
        insert(hi, lo);
    }

    /** The memo {@link OwnShare#verify} consults for this sealed value (see the class comment for why a hit may skip the check). */
    OwnShare.Memo memo(byte[] sealed) {
        return new OwnShare.Memo() {
            @Override
            public boolean passedBefore() {
                return contains(sealed);
            }

            @Override
            public void passed() {
                add(sealed);
            }
        };
    }

    synchronized int size() {
        return entries;
    }

    private void insert(long hi, long lo) {
        int at = 4 * set(lo, table.length / 4);
        if (holds(at, hi, lo)) return;
        boolean way0Empty = (table[at] | table[at + 1]) == 0;
        boolean way1Empty = (table[at + 2] | table[at + 3]) == 0;
        if (way0Empty || way1Empty) entries++; // otherwise way 1's entry is forgotten
        if (!way0Empty) {
            table[at + 2] = table[at];
            table[at + 3] = table[at + 1];
        }
        table[at] = hi;
        table[at + 1] = lo;
    }

    /** Whether the set at {@code at} holds the tag in either way. */
    private boolean holds(int at, long hi, long lo) {
        return table[at] == hi && table[at + 1] == lo || table[at + 2] == hi && table[at + 3] == lo;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        entries = 0;
        for (int at = 0; at < old.length; at += 4) { // older way first, so the newer stays in way 0
            if ((old[at + 2] | old[at + 3]) != 0) insert(old[at + 2], old[at + 3]);
            if ((old[at] | old[at + 1]) != 0) insert(old[at], old[at + 1]);
        }
    }

    private static int set(long lo, int sets) {
        return (int) (lo ^ (lo >>> 32)) & (sets - 1); // the tag is pseudorandom: its low bits are a hash
    }

    private static ByteBuffer tag(byte[] sealed) {
        if (sealed.length < TAG_LENGTH) throw new IllegalArgumentException("sealed value shorter than its tag");
        return ByteBuffer.wrap(sealed, sealed.length - TAG_LENGTH, TAG_LENGTH);
    }
}
