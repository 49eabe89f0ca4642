package dev.secretstore.node.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Admission by cost (security.md SEC-35): limits that an attacker cannot dodge by inventing requesters,
 * because they are keyed by what a request cannot choose: its source address and its operation.
 *
 * <ul>
 *   <li><b>Per source address</b> (IPv4 per address, IPv6 per /64 prefix, loopback like any other address):
 *       a token bucket of {@link Config#perAddressPerSecond() cost units} per second, burst twice that, where
 *       each operation costs its {@link Op#cost() weight}; and a cap on the address's requests in flight.
 *       Excess is {@link Refused#status() 429}: this client is too fast.</li>
 *   <li><b>Global, per operation class</b>: a token bucket of requests per second for each {@link OpClass}
 *       (0: none), a cap on all requests in flight at this node, and a smaller cap on generations in flight,
 *       so a flood of generations never holds the slots that retrievals and signing need (retrievals and
 *       signing are served before generations). Excess is {@link Refused#status() 503}: this node is at
 *       capacity; try later, or another member.</li>
 * </ul>
 *
 * Every refusal carries a {@link Refused#retryAfterSeconds() Retry-After} in whole seconds (at least 1): when
 * the bucket that refused will hold enough tokens again, or 1 for a full in-flight cap. A refusal consumes
 * nothing. An admitted request holds a {@link Ticket} that must be released when it is answered.
 *
 * <p>Pure and server-independent: no sockets, no threads; time comes from the injected monotonic clock
 * (nanoseconds; a clock that goes back adds no tokens, SEC-19). Thread-safe. At most {@link #MAX_TRACKED}
 * source buckets are remembered; the ones idle longest are forgotten first (a forgotten bucket is full,
 * the lenient direction; the global limits still hold).
 */
public final class Admission {
    /** How many source addresses (or /64 prefixes) the buckets remember. */
    static final int MAX_TRACKED = 100_000;

    /** Operation classes with their own global rate; generations also have their own in-flight share. */
    public enum OpClass { GENERATION, STORE, RETRIEVAL, SIGNING, ADMIN }

    /**
     * The HTTP API's operations with their class and their cost in units of one shadow retrieval, after the CPU
     * per operation of docs/benchmarks.md (N = 3: generation 10.1 ms, store 4.0 ms, retrievals 3.3–3.7 ms,
     * Schnorr 3.5 ms, ECDSA 9.9 ms). Generation and store also write to every member's storage for good, and a
     * generation's cost grows with the square of the cluster's size, so they weigh more than their CPU.
     */
    public enum Op {
        GENERATE_SERVER_KEY(OpClass.GENERATION, 10),
        GENERATE_DOCUMENT_KEY(OpClass.GENERATION, 10),
        STORE_DOCUMENT_KEY(OpClass.STORE, 4),
        RETRIEVE_SERVER_KEY(OpClass.RETRIEVAL, 1),
        RETRIEVE_DOCUMENT_KEY(OpClass.RETRIEVAL, 1),
        RETRIEVE_SHADOWS(OpClass.RETRIEVAL, 1),
        SCHNORR_SIGN(OpClass.SIGNING, 1),
        ECDSA_SIGN(OpClass.SIGNING, 3),
        ADMIN(OpClass.ADMIN, 1);

        private final OpClass opClass;
        private final int cost;

        Op(OpClass opClass, int cost) {
            this.opClass = opClass;
            this.cost = cost;
        }

        public OpClass opClass() {
            return opClass;
        }

        public int cost() {
            return cost;
        }

        /** The operation of a parsed request. */
        public static Op of(ApiRequest r) {
            if (r instanceof ApiRequest.GenerateServerKey) return GENERATE_SERVER_KEY;
            if (r instanceof ApiRequest.GenerateDocumentKey) return GENERATE_DOCUMENT_KEY;
            if (r instanceof ApiRequest.StoreDocumentKey) return STORE_DOCUMENT_KEY;
            if (r instanceof ApiRequest.RetrieveServerKey) return RETRIEVE_SERVER_KEY;
            if (r instanceof ApiRequest.RetrieveDocumentKey) return RETRIEVE_DOCUMENT_KEY;
            if (r instanceof ApiRequest.RetrieveDocumentKeyShadows) return RETRIEVE_SHADOWS;
            if (r instanceof ApiRequest.SchnorrSign) return SCHNORR_SIGN;
            if (r instanceof ApiRequest.EcdsaSign) return ECDSA_SIGN;
            return ADMIN;
        }
    }

    /**
     * Every limit; 0 turns one off.
     *
     * @param perAddressPerSecond   cost units per second one source address (IPv6: one /64) may spend, burst twice that
     * @param perAddressMaxInFlight requests one source address may have in flight
     * @param generationsPerSecond  generations (endpoints 1 and 3) per second at this node, all sources, burst twice that
     * @param storesPerSecond       document-key stores per second at this node, burst twice that
     * @param retrievalsPerSecond   retrievals (endpoints 4, 5, 6) per second at this node, burst twice that
     * @param signingsPerSecond     signings (Schnorr and ECDSA) per second at this node, burst twice that
     * @param maxInFlight           requests in flight at this node, all operations
     * @param generationMaxInFlight generations in flight at this node: their share of {@code maxInFlight}
     */
    public record Config(int perAddressPerSecond, int perAddressMaxInFlight, int generationsPerSecond, int storesPerSecond,
                         int retrievalsPerSecond, int signingsPerSecond, int maxInFlight, int generationMaxInFlight) {
        /**
         * One address: 200 retrievals/s or 20 generations/s (burst twice that), 32 requests in flight; the node: 20
         * generations/s, 256 requests in flight of which 8 generations. The whole 3-node cluster of docs/benchmarks.md
         * serves about 150 generations/s and 500 shadow retrievals/s on a 2-core machine: a generation flood against
         * every member gets at most 60/s and 24 sessions going, while retrievals keep the other 248 slots per node.
         */
        public static final Config DEFAULT = new Config(200, 32, 20, 0, 0, 0, 256, 8);
        /** No limit at all. */
        public static final Config NONE = new Config(0, 0, 0, 0, 0, 0, 0, 0);

        public Config {
            if (perAddressPerSecond < 0 || perAddressMaxInFlight < 0 || generationsPerSecond < 0 || storesPerSecond < 0
                    || retrievalsPerSecond < 0 || signingsPerSecond < 0 || maxInFlight < 0 || generationMaxInFlight < 0) {
                throw new IllegalArgumentException("admission limits must not be negative");
            }
        }

        int rate(OpClass c) {
            return switch (c) {
                case GENERATION -> generationsPerSecond;
                case STORE -> storesPerSecond;
                case RETRIEVAL -> retrievalsPerSecond;
                case SIGNING -> signingsPerSecond;
                case ADMIN -> 0;
            };
        }
    }

    /** What {@link #tryAdmit} answers. */
    public sealed interface Decision permits Admitted, Refused {}

    /** Admitted: release the ticket when the request is answered. */
    public record Admitted(Ticket ticket) implements Decision {}

    /**
     * Refused: {@code status} 429 (this source is over its limit) or 503 (this node is at capacity for the
     * operation), to be answered at once with {@code Retry-After: retryAfterSeconds}. {@code reason} is for the log.
     */
    public record Refused(int status, long retryAfterSeconds, String reason) implements Decision {}

    /** An admitted request's hold on its in-flight slots. Releasing twice releases once. */
    public final class Ticket {
        private final Source source;
        private final OpClass opClass;
        private final AtomicBoolean released = new AtomicBoolean();

        private Ticket(Source source, OpClass opClass) {
            this.source = source;
            this.opClass = opClass;
        }

        public void release() {
            if (released.compareAndSet(false, true)) Admission.this.release(source, opClass);
        }
    }

    /** A source: an IPv4 address or an IPv6 /64 prefix. */
    record Source(boolean v6, long bits) {}

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        void refill(long now, int rate) {
            double elapsed = Math.max(0, now - last) / 1e9;
            tokens = Math.min(2.0 * rate, tokens + elapsed * rate);
            last = now;
        }

        /** Tokens needed for a request of {@code cost}: the cost, or a full bucket for a cost above the burst. */
        static double need(int cost, int rate) {
            return Math.min(cost, 2.0 * rate);
        }

        long retryAfterSeconds(double need, int rate) {
            return Math.max(1, (long) Math.ceil((need - tokens) / rate));
        }
    }

    private final Config config;
    private final LongSupplier nanoClock;
    private final Map<Source, Bucket> sources = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Source, Bucket> eldest) {
            return size() > MAX_TRACKED;
        }
    };
    private final Map<Source, Integer> sourcesInFlight = new HashMap<>();
    private final Map<OpClass, Bucket> classes = new EnumMap<>(OpClass.class);
    private int inFlight;
    private int generationsInFlight;

    public Admission(Config config, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public Admission(Config config) {
        this(config, System::nanoTime);
    }

    /** Admits everything. */
    public static Admission none() {
        return new Admission(Config.NONE);
    }

    /** The source an address counts as: IPv4 per address, IPv6 per /64 prefix. */
    static Source source(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return new Source(false, ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++) prefix = (prefix << 8) | (b[i] & 0xffL);
        return new Source(true, prefix);
    }

    /**
     * Admits {@code op} from {@code sourceAddress}, or refuses it. Costs no elliptic-curve work: call it before the
     * requester's signature is recovered.
     */
    public synchronized Decision tryAdmit(InetAddress sourceAddress, Op op) {
        Source source = source(sourceAddress);
        long now = nanoClock.getAsLong();
        // this source first: a flooding client learns that it is the one over its limit (429)
        int sourceRunning = sourcesInFlight.getOrDefault(source, 0);
        if (config.perAddressMaxInFlight() > 0 && sourceRunning >= config.perAddressMaxInFlight()) {
            return new Refused(429, 1, "source has " + sourceRunning + " requests in flight (limit " + config.perAddressMaxInFlight() + ")");
        }
        int addressRate = config.perAddressPerSecond();
        Bucket s = null;
        if (addressRate > 0) {
            s = sources.computeIfAbsent(source, x -> new Bucket(2.0 * addressRate, now));
            s.refill(now, addressRate);
            double need = Bucket.need(op.cost(), addressRate);
            if (s.tokens < need) {
                return new Refused(429, s.retryAfterSeconds(need, addressRate), "source over " + addressRate + " cost units/s");
            }
        }
        // then this node's capacity for the operation (503)
        OpClass c = op.opClass();
        int classRate = config.rate(c);
        Bucket k = null;
        if (classRate > 0) {
            k = classes.computeIfAbsent(c, x -> new Bucket(2.0 * classRate, now));
            k.refill(now, classRate);
            if (k.tokens < 1) {
                return new Refused(503, k.retryAfterSeconds(1, classRate), c.name().toLowerCase() + " over " + classRate + " requests/s");
            }
        }
        if (c == OpClass.GENERATION && config.generationMaxInFlight() > 0 && generationsInFlight >= config.generationMaxInFlight()) {
            return new Refused(503, 1, generationsInFlight + " generations in flight (limit " + config.generationMaxInFlight() + ")");
        }
        if (config.maxInFlight() > 0 && inFlight >= config.maxInFlight()) {
            return new Refused(503, 1, inFlight + " requests in flight (limit " + config.maxInFlight() + ")");
        }
        if (s != null) s.tokens -= op.cost(); // may go below zero for a cost above the burst: the debt is paid by waiting
        if (k != null) k.tokens -= 1;
        sourcesInFlight.merge(source, 1, Integer::sum);
        inFlight++;
        if (c == OpClass.GENERATION) generationsInFlight++;
        return new Admitted(new Ticket(source, c));
    }

    private synchronized void release(Source source, OpClass c) {
        sourcesInFlight.computeIfPresent(source, (x, n) -> n <= 1 ? null : n - 1);
        inFlight--;
        if (c == OpClass.GENERATION) generationsInFlight--;
    }

    /** Requests in flight at this node (for tests and metrics). */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** Sources with requests in flight (for tests). */
    synchronized int sourcesInFlight() {
        return sourcesInFlight.size();
    }
}
