package dev.secretstore.node.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The recent past the status page shows: request counts and latencies in {@value #BUCKETS} buckets of
 * {@value #BUCKET_SECONDS} s (a ring: the last {@value #WINDOW_MINUTES} minutes), the last {@value #RECENT} requests,
 * the members sessions blamed, and this node's last audit lines. Bounded memory whatever the traffic; the request
 * labels are operation names, status codes and node ids only; the audit lines carry what the audit file does (key ids
 * and requester addresses, public identifiers), never a secret or a signature (SEC-07). Thread-safe.
 */
public final class StatusHistory {
    public static final int BUCKET_SECONDS = 10;
    public static final int WINDOW_MINUTES = 10;
    public static final int BUCKETS = WINDOW_MINUTES * 60 / BUCKET_SECONDS;
    public static final int RECENT = 50;
    private static final long BUCKET_MILLIS = BUCKET_SECONDS * 1000L;

    private final LongSupplier clockMillis;
    private final long[] bucketOf = new long[BUCKETS];
    private final long[] count = new long[BUCKETS];
    private final long[] clientErrors = new long[BUCKETS];
    private final long[] serverErrors = new long[BUCKETS];
    private final long[] sumNanos = new long[BUCKETS];
    private final long[] maxNanos = new long[BUCKETS];
    private final Request[] recent = new Request[RECENT];
    private long recorded;
    private final Map<String, Blame> blamed = new TreeMap<>();
    private volatile java.util.function.Supplier<List<dev.secretstore.node.audit.AuditTrail.Event>> audit = List::of;

    /** @param clockMillis wall-clock milliseconds since the epoch (the page shows local times) */
    public StatusHistory(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        java.util.Arrays.fill(bucketOf, -1);
    }

    /** One finished request as the page lists it. */
    public record Request(long timeMillis, String op, int status, long nanos) {}

    /** How often and when a member was last blamed, and by which kind of session. */
    public record Blame(String node, long count, long lastMillis, String lastType) {}

    /**
     * The buckets of the window, oldest first, ending with the current one; {@code startMillis} is the start of the
     * oldest. Latencies in milliseconds; a bucket without requests has mean and max 0.
     */
    public record Series(int bucketSeconds, long startMillis, long[] requests, long[] clientErrors, long[] serverErrors,
                         double[] meanMillis, double[] maxMillis) {}

    public synchronized void request(String op, int status, long nanos) {
        long now = clockMillis.getAsLong();
        int slot = slot(now / BUCKET_MILLIS);
        count[slot]++;
        if (status >= 500) serverErrors[slot]++;
        else if (status >= 400) clientErrors[slot]++;
        sumNanos[slot] += nanos;
        maxNanos[slot] = Math.max(maxNanos[slot], nanos);
        recent[(int) (recorded++ % RECENT)] = new Request(now, op, status, nanos);
    }

    /** A session of {@code type} ended blaming {@code nodes} (node ids, {@code 0x}…). */
    public synchronized void blamed(String type, Collection<String> nodes) {
        long now = clockMillis.getAsLong();
        for (String node : nodes) {
            Blame before = blamed.get(node);
            blamed.put(node, new Blame(node, before == null ? 1 : before.count() + 1, now, type));
        }
    }

    /** The slot of bucket {@code bucket}, cleared first when it last held an older bucket. */
    private int slot(long bucket) {
        int slot = (int) (bucket % BUCKETS);
        if (bucketOf[slot] != bucket) {
            bucketOf[slot] = bucket;
            count[slot] = clientErrors[slot] = serverErrors[slot] = sumNanos[slot] = maxNanos[slot] = 0;
        }
        return slot;
    }

    public synchronized Series series() {
        long current = clockMillis.getAsLong() / BUCKET_MILLIS;
        long first = current - BUCKETS + 1;
        long[] n = new long[BUCKETS], c = new long[BUCKETS], s = new long[BUCKETS];
        double[] mean = new double[BUCKETS], max = new double[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            long bucket = first + i;
            int slot = (int) (bucket % BUCKETS);
            if (bucketOf[slot] != bucket) continue;
            n[i] = count[slot];
            c[i] = clientErrors[slot];
            s[i] = serverErrors[slot];
            mean[i] = n[i] == 0 ? 0 : sumNanos[slot] / 1e6 / n[i];
            max[i] = maxNanos[slot] / 1e6;
        }
        return new Series(BUCKET_SECONDS, first * BUCKET_MILLIS, n, c, s, mean, max);
    }

    /** The last requests, newest first. */
    public synchronized List<Request> recent() {
        int held = (int) Math.min(recorded, RECENT);
        List<Request> out = new ArrayList<>(held);
        for (int i = 1; i <= held; i++) out.add(recent[(int) ((recorded - i) % RECENT)]);
        return out;
    }

    /** Where {@link #auditEvents} reads this node's last audit lines from (its audit trail, SEC-29). */
    public void audit(java.util.function.Supplier<List<dev.secretstore.node.audit.AuditTrail.Event>> source) {
        this.audit = java.util.Objects.requireNonNull(source, "source");
    }

    /** This node's last request audit lines, newest first, at most {@value dev.secretstore.node.audit.AuditTrail#RECENT}. */
    public List<dev.secretstore.node.audit.AuditTrail.Event> auditEvents() {
        return audit.get();
    }

    /** Every member blamed since the node started, by node id. */
    public synchronized List<Blame> blamed() {
        return List.copyOf(blamed.values());
    }
}
