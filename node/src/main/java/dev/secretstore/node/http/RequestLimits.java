package dev.secretstore.node.http;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Per-requester and per-key request limits of the HTTP API (security.md SEC-23: a requester
 * signature is a bearer token valid forever, so its use is bounded; SEC-28: bounded concurrent
 * sessions per requester). Token buckets that refill continuously, with a burst of twice the rate,
 * plus a cap on each requester's requests in flight. Thread-safe; time comes from the injected
 * monotonic clock. At most {@link #MAX_TRACKED} requesters and keys are remembered each; the ones
 * idle longest are forgotten first (a forgotten bucket is full, the lenient direction).
 */
public final class RequestLimits {
    /** How many requesters and how many key ids the buckets remember. */
    static final int MAX_TRACKED = 100_000;

    /**
     * @param perRequesterPerSecond requests per second one requester may make (0: no limit)
     * @param perKeyPerSecond       requests per second on one key id, all requesters together (0: no limit)
     * @param concurrentPerRequester requests one requester may have in flight (0: no limit)
     */
    public record Config(int perRequesterPerSecond, int perKeyPerSecond, int concurrentPerRequester) {
        public static final Config DEFAULT = new Config(50, 100, 16);
        public static final Config NONE = new Config(0, 0, 0);

        public Config {
            if (perRequesterPerSecond < 0 || perKeyPerSecond < 0 || concurrentPerRequester < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        void refill(long now, int rate) {
            double elapsed = Math.max(0, now - last) / 1e9; // saturating: a clock that goes back adds nothing (SEC-19)
            tokens = Math.min(2.0 * rate, tokens + elapsed * rate);
            last = now;
        }
    }

    private final Config config;
    private final LongSupplier nanoClock;
    private final Map<Address, Bucket> requesters = lru();
    private final Map<H256, Bucket> keys = lru();
    private final Map<Address, Integer> inFlight = new HashMap<>();

    public RequestLimits(Config config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    public RequestLimits(Config config) {
        this(config, System::nanoTime);
    }

    private static <K> Map<K, Bucket> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Bucket> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }

    /**
     * Admits a request of {@code requester} on {@code keyId}, or says why not. An admitted request
     * must be {@linkplain #release released} when it completes.
     */
    public synchronized Optional<String> tryAcquire(Address requester, H256 keyId) {
        long now = nanoClock.getAsLong();
        int running = inFlight.getOrDefault(requester, 0);
        if (config.concurrentPerRequester() > 0 && running >= config.concurrentPerRequester()) {
            return Optional.of("requester has " + running + " requests in flight (limit " + config.concurrentPerRequester() + ")");
        }
        Bucket r = bucket(requesters, requester, config.perRequesterPerSecond(), now);
        Bucket k = bucket(keys, keyId, config.perKeyPerSecond(), now);
        if (r != null && r.tokens < 1) {
            return Optional.of("requester over " + config.perRequesterPerSecond() + " requests/s");
        }
        if (k != null && k.tokens < 1) {
            return Optional.of("key over " + config.perKeyPerSecond() + " requests/s");
        }
        if (r != null) r.tokens -= 1;
        if (k != null) k.tokens -= 1;
        inFlight.merge(requester, 1, Integer::sum);
        return Optional.empty();
    }

    /** The request admitted for {@code requester} has completed. */
    public synchronized void release(Address requester) {
        inFlight.computeIfPresent(requester, (a, n) -> n <= 1 ? null : n - 1);
    }

    private static <K> Bucket bucket(Map<K, Bucket> buckets, K id, int rate, long now) {
        if (rate == 0) return null;
        Bucket b = buckets.computeIfAbsent(id, x -> new Bucket(2.0 * rate, now));
        b.refill(now, rate);
        return b;
    }

    /** Requesters with requests in flight (for tests and metrics). */
    synchronized int requestersInFlight() {
        return inFlight.size();
    }
}
