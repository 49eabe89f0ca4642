package dev.secretstore.node.transport;

import dev.secretstore.http.SourceKey;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Admission of accepted connections to the handshake, per source (SEC-36, docs/transport.md §8.1).
 * Decides at accept, before any byte is read and before any elliptic-curve work.
 *
 * <p>Every source ({@link SourceKey}) has a number of pending-handshake slots and a token bucket
 * of connections; an admitted connection takes one slot until it authenticates or closes, and one
 * token (so each source's handshake work, at most one message 1 per connection, is bounded).
 * Non-member sources also share {@code maxPendingHandshakes} slots and one global bucket. Member
 * sources (what the member list resolves to) are outside those shared limits, and their own
 * limits grow with the number of members at that source, so no number of attacker addresses can
 * keep a member from getting a slot: a member needs one slot per connection it dials, and a
 * restarted member's peers each dial it once.
 *
 * <p>Pure: time comes from the given monotonic clock. Thread-safe (called from every event loop).
 * Memory is bounded: a source is tracked only while it holds a slot or its bucket is refilling,
 * and non-member sources enter only by taking a global token.
 */
final class HandshakeGate {
    private final TransportConfig.Admission limits;
    private final int maxNonMemberPending;
    private final LongSupplier nanoTime;
    private final Map<SourceKey, Source> sources = new HashMap<>();
    private final Bucket nonMembers;
    private Map<SourceKey, Integer> membersAt = Map.of();
    private int nonMemberPending;
    private long lastSweep;

    HandshakeGate(TransportConfig.Admission limits, int maxNonMemberPending, LongSupplier nanoTime) {
        this.limits = Objects.requireNonNull(limits, "limits");
        if (maxNonMemberPending < 1) throw new IllegalArgumentException("maxNonMemberPending must be at least 1");
        this.maxNonMemberPending = maxNonMemberPending;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        long now = nanoTime.getAsLong();
        this.nonMembers = new Bucket(limits.nonMemberBurst(), now);
        this.lastSweep = now;
    }

    /** A pending-handshake slot, or a refusal. {@link #release()} is idempotent. */
    final class Ticket {
        private final SourceKey source;
        private final boolean member;
        private final Refusal refusal;
        private final AtomicBoolean held;

        private Ticket(SourceKey source, boolean member, Refusal refusal) {
            this.source = source;
            this.member = member;
            this.refusal = refusal;
            this.held = new AtomicBoolean(refusal == null);
        }

        /** Null when admitted. */
        Refusal refusal() {
            return refusal;
        }

        SourceKey source() {
            return source;
        }

        /** Gives the slot back: the connection authenticated or closed. */
        void release() {
            if (held.compareAndSet(true, false)) {
                HandshakeGate.this.release(this);
            }
        }
    }

    /**
     * Replaces the member sources. Each element is the addresses one member's host resolves to;
     * a source counts each member once.
     */
    synchronized void setMembers(Collection<? extends Collection<InetAddress>> memberAddresses) {
        Map<SourceKey, Integer> counts = new HashMap<>();
        for (Collection<InetAddress> one : memberAddresses) {
            Set<SourceKey> keys = new HashSet<>();
            for (InetAddress a : one) keys.add(SourceKey.of(a));
            for (SourceKey k : keys) counts.merge(k, 1, Integer::sum);
        }
        membersAt = Map.copyOf(counts);
    }

    synchronized boolean isMemberSource(InetAddress address) {
        return membersAt.containsKey(SourceKey.of(address));
    }

    synchronized Ticket admit(InetAddress address) {
        long now = nanoTime.getAsLong();
        sweep(now);
        SourceKey key = SourceKey.of(address);
        int members = membersAt.getOrDefault(key, 0);
        boolean member = members > 0;
        if (!member && limits.membersOnly()) {
            return new Ticket(key, false, Refusal.NOT_MEMBER_ADDRESS);
        }
        Source s = sources.get(key);
        int pending = s == null ? 0 : s.pending;
        if (pending >= pendingLimit(members)) {
            return new Ticket(key, member, Refusal.SOURCE_PENDING);
        }
        if (!member && nonMemberPending >= maxNonMemberPending) {
            return new Ticket(key, false, Refusal.PENDING);
        }
        if (s != null) {
            s.bucket.refill(now, burst(members), rate(members));
            if (s.bucket.tokens < 1) {
                return new Ticket(key, member, Refusal.SOURCE_RATE);
            }
        }
        if (!member) {
            nonMembers.refill(now, limits.nonMemberBurst(), limits.nonMemberRate());
            if (nonMembers.tokens < 1) {
                return new Ticket(key, false, Refusal.RATE);
            }
            nonMembers.tokens -= 1;
            nonMemberPending++;
        }
        if (s == null) {
            s = new Source(new Bucket(burst(members), now));
            sources.put(key, s);
        }
        s.bucket.tokens -= 1;
        s.pending++;
        return new Ticket(key, member, null);
    }

    private synchronized void release(Ticket t) {
        Source s = sources.get(t.source);
        if (s != null && s.pending > 0) s.pending--;
        if (!t.member && nonMemberPending > 0) nonMemberPending--;
    }

    /** Pending handshakes of this address's source. */
    synchronized int pending(InetAddress address) {
        Source s = sources.get(SourceKey.of(address));
        return s == null ? 0 : s.pending;
    }

    /** Pending handshakes of all non-member sources together. */
    synchronized int nonMemberPending() {
        return nonMemberPending;
    }

    /** Sources currently tracked (holding a slot or refilling). */
    synchronized int trackedSources() {
        sweep(nanoTime.getAsLong());
        return sources.size();
    }

    private int pendingLimit(int members) {
        return limits.pendingPerSource() + members;
    }

    private double burst(int members) {
        return (double) limits.burstPerSource() * Math.max(1, members);
    }

    private double rate(int members) {
        return limits.ratePerSource() * Math.max(1, members);
    }

    /** Forgets sources without a slot whose bucket is full again; at most once per second of the clock. */
    private void sweep(long now) {
        if (now - lastSweep < 1_000_000_000L) return;
        lastSweep = now;
        for (Iterator<Map.Entry<SourceKey, Source>> it = sources.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<SourceKey, Source> e = it.next();
            int members = membersAt.getOrDefault(e.getKey(), 0);
            Source s = e.getValue();
            s.bucket.refill(now, burst(members), rate(members));
            if (s.pending == 0 && s.bucket.tokens >= burst(members)) it.remove();
        }
    }

    private static final class Source {
        final Bucket bucket;
        int pending;

        Source(Bucket bucket) {
            this.bucket = bucket;
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        void refill(long now, double capacity, double perSecond) {
            long elapsed = now - last;
            if (elapsed > 0) {
                tokens = Math.min(capacity, tokens + elapsed * perSecond / 1e9);
                last = now;
            } else if (tokens > capacity) {
                tokens = capacity;
            }
        }
    }
}
