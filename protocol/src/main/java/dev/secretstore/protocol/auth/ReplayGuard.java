package dev.secretstore.protocol.auth;

import dev.secretstore.crypto.Address;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The nonces of fresh authorizations this member has seen, each bound to the one use (a session) that presented it
 * first, remembered until its authorization can no longer be accepted (docs/auth.md §4). Thread-safe (the HTTP
 * threads and the cluster loop both consult it); bounded: past {@link #capacity()} live entries a new nonce is
 * refused rather than an old one forgotten (forgetting would let a replay through).
 */
public final class ReplayGuard {
    /** Default number of nonces remembered at once (about 30 MB). */
    public static final int DEFAULT_CAPACITY = 200_000;

    /** The outcome of {@link #claim}. */
    public enum Claim {
        /** First use, or the same use again: go on. */
        FRESH,
        /** The nonce was already used by another use (a replay). */
        REPLAYED,
        /** The memory is full of unexpired nonces: try again later. */
        FULL
    }

    private record Key(Address signer, byte[] nonce) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && signer.equals(k.signer) && Arrays.equals(nonce, k.nonce);
        }

        @Override
        public int hashCode() {
            return 31 * signer.hashCode() + Arrays.hashCode(nonce);
        }
    }

    private record Entry(Key key, Object use, long forgetAfter) {}

    private final int capacity;
    private final Map<Key, Entry> live = new HashMap<>();
    private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> Long.compare(a.forgetAfter, b.forgetAfter));

    public ReplayGuard() {
        this(DEFAULT_CAPACITY);
    }

    public ReplayGuard(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Binds {@code (signer, nonce)} to {@code use} until {@code forgetAfter} (unix seconds), forgetting entries that
     * expired before {@code now}. {@code use} is compared with {@code equals} (e.g. a session key).
     */
    public synchronized Claim claim(Address signer, byte[] nonce, Object use, long forgetAfter, long now) {
        Objects.requireNonNull(use);
        while (!byExpiry.isEmpty() && byExpiry.peek().forgetAfter < now) {
            Entry gone = byExpiry.poll();
            live.remove(gone.key, gone);
        }
        Key key = new Key(signer, nonce.clone());
        Entry seen = live.get(key);
        if (seen != null) return seen.use.equals(use) ? Claim.FRESH : Claim.REPLAYED;
        if (live.size() >= capacity) return Claim.FULL;
        Entry e = new Entry(key, use, forgetAfter);
        live.put(key, e);
        byExpiry.add(e);
        return Claim.FRESH;
    }

    /** Live entries (for metrics and tests). */
    public synchronized int size() {
        return live.size();
    }
}
