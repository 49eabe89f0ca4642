package dev.secretstore.node.transport;

import dev.secretstore.http.SourceKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Counts connections refused or closed before authentication, for one summary line per interval
 * instead of one line each (SEC-36): the log grows by at most one line per interval whatever an
 * attacker does. Counts per {@link Refusal} and per source ({@link SourceKey}; at most
 * {@value #MAX_SOURCES} distinct sources per interval are named, the rest are counted together).
 * Pure and thread-safe; the caller decides when to {@link #drain()}.
 */
final class RefusalLog {
    static final int MAX_SOURCES = 256;
    private static final int SOURCES_NAMED = 5;

    private final long[] counts = new long[Refusal.values().length];
    private final long[] totals = new long[Refusal.values().length];
    private final Map<SourceKey, long[]> bySource = new HashMap<>();
    private long otherSources;

    synchronized void record(Refusal reason, InetAddress source) {
        counts[reason.ordinal()]++;
        totals[reason.ordinal()]++;
        if (source == null) {
            otherSources++;
            return;
        }
        SourceKey key = SourceKey.of(source);
        long[] n = bySource.get(key);
        if (n == null && bySource.size() < MAX_SOURCES) {
            n = new long[1];
            bySource.put(key, n);
        }
        if (n != null) {
            n[0]++;
        } else {
            otherSources++;
        }
    }

    /** The count of a reason since the last drain. */
    synchronized long count(Refusal reason) {
        return counts[reason.ordinal()];
    }

    /** The count of a reason since this log was created (drains do not reset it). */
    synchronized long total(Refusal reason) {
        return totals[reason.ordinal()];
    }

    /**
     * The summary of everything recorded since the last drain, and resets; empty when nothing was
     * recorded. Names the reasons with their counts and the sources with the most refusals.
     */
    synchronized Optional<String> drain() {
        long total = 0;
        StringBuilder reasons = new StringBuilder();
        for (Refusal r : Refusal.values()) {
            long n = counts[r.ordinal()];
            if (n == 0) continue;
            total += n;
            if (reasons.length() > 0) reasons.append(", ");
            reasons.append(r.label).append('=').append(n);
        }
        if (total == 0) return Optional.empty();
        List<Map.Entry<SourceKey, long[]>> top = new ArrayList<>(bySource.entrySet());
        top.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        StringBuilder sources = new StringBuilder();
        for (int i = 0; i < Math.min(SOURCES_NAMED, top.size()); i++) {
            if (i > 0) sources.append(", ");
            sources.append(top.get(i).getKey()).append('=').append(top.get(i).getValue()[0]);
        }
        int unnamed = Math.max(0, top.size() - SOURCES_NAMED);
        if (unnamed > 0 || otherSources > 0) {
            sources.append(", and ").append(unnamed).append(otherSources > 0 ? "+" : "").append(" more sources");
        }
        String line = total + " connection(s) to the cluster port refused or closed before authentication ("
                + reasons + "); by source: " + sources;
        java.util.Arrays.fill(counts, 0);
        bySource.clear();
        otherSources = 0;
        return Optional.of(line);
    }
}
