package dev.secretstore.rpc;

import dev.secretstore.crypto.Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed-password counters per (account, source address) (jsonrpc.md §10; per source as SEC-35).
 *
 * <p>A source may make exactly {@link #FREE_ATTEMPTS} wrong guesses for an account; then that pair
 * is refused for 1 s, doubling with each further wrong guess up to {@link #MAX_LOCK_NANOS}; a correct
 * password resets the pair. A guess is reserved before its KDF runs, so concurrent requests cannot
 * pass more guesses than that. Other sources, the owner among them, keep their own counters: a
 * stranger locks out only itself. Unknown accounts are counted like known ones, so the lockout
 * reveals nothing about existence.
 *
 * <p>At most {@code capacity} pairs are remembered; the least recently used pair is forgotten first.
 */
final class Lockout {
    static final int FREE_ATTEMPTS = 5;
    static final long MAX_LOCK_NANOS = 60_000_000_000L;
    static final int DEFAULT_CAPACITY = 10_000;

    private record Key(Address account, String source) {}

    private static final class State {
        int failures;
        int inFlight;
        long lockedUntil;
    }

    private final LongSupplier clock;
    private final int capacity;
    private final LinkedHashMap<Key, State> states;

    Lockout(LongSupplier clock, int capacity) {
        this.clock = clock;
        this.capacity = capacity;
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, State> eldest) {
                return size() > Lockout.this.capacity;
            }
        };
    }

    /** A reserved guess; exactly one of {@link #succeeded()} or {@link #failed()} must follow. */
    final class Attempt {
        private final Key key;

        private Attempt(Key key) {
            this.key = key;
        }

        void succeeded() {
            synchronized (Lockout.this) {
                states.remove(key);
            }
        }

        void failed() {
            synchronized (Lockout.this) {
                State s = states.computeIfAbsent(key, k -> new State());
                if (s.inFlight > 0) s.inFlight--;
                s.failures++;
                if (s.failures >= FREE_ATTEMPTS) {
                    long lock = Math.min(MAX_LOCK_NANOS, 1_000_000_000L << Math.min(16, s.failures - FREE_ATTEMPTS));
                    s.lockedUntil = clock.getAsLong() + lock;
                }
            }
        }
    }

    /** Reserves one guess for {@code account} from {@code source}, or returns {@code null} if refused now. */
    synchronized Attempt tryAcquire(Address account, String source) {
        Key key = new Key(account, source);
        State s = states.get(key);
        if (s == null) {
            s = new State();
            states.put(key, s);
        }
        boolean unlocked = s.failures < FREE_ATTEMPTS || clock.getAsLong() - s.lockedUntil >= 0;
        boolean room = s.failures < FREE_ATTEMPTS ? s.failures + s.inFlight < FREE_ATTEMPTS : s.inFlight == 0;
        if (!unlocked || !room) return null;
        s.inFlight++;
        return new Attempt(key);
    }

    synchronized int size() {
        return states.size();
    }
}
