package dev.secretstore.node.audit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the cheap, high-volume refusals of the HTTP edge (SEC-29, SEC-35; {@link AuditTrail#AGGREGATED}) by source
 * address and outcome, so that a flood of them is a few audit lines per source and interval, not one line per request.
 * The first refusal of a source and outcome in an interval gets its own line ({@link #offer} true); the others are
 * counted and handed back once the interval ended ({@link #due}) as one {@link Count}. At most {@code capacity}
 * sources are tracked at once; refusals from further sources are counted per outcome under no source ("other
 * sources"), without a line of their own. Pure state: time comes in as milliseconds, not synchronized (the trail
 * calls it under its own lock).
 */
final class RefusalTally {
    /** One counted group: {@code source} null for the sources beyond the capacity. */
    record Key(String source, String outcome) {}

    /** Refusals of {@code key} counted since {@code fromMillis} (its first one, which had its own line, excluded). */
    record Count(Key key, long fromMillis, long count) {}

    private static final class Open {
        final long fromMillis;
        long count;

        Open(long fromMillis) {
            this.fromMillis = fromMillis;
        }
    }

    private final int capacity;
    private final long intervalMillis;
    private final Map<Key, Open> open = new LinkedHashMap<>();
    private int tracked;

    RefusalTally(int capacity, long intervalMillis) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        if (intervalMillis < 1) throw new IllegalArgumentException("interval must be positive");
        this.capacity = capacity;
        this.intervalMillis = intervalMillis;
    }

    /** True when this refusal gets its own line (the first of its source and outcome in an interval); false: counted. */
    boolean offer(String source, String outcome, long nowMillis) {
        Key key = new Key(source, outcome);
        Open o = open.get(key);
        if (o != null) {
            o.count++;
            return false;
        }
        if (tracked >= capacity) {
            open.computeIfAbsent(new Key(null, outcome), k -> new Open(nowMillis)).count++;
            return false;
        }
        open.put(key, new Open(nowMillis));
        tracked++;
        return true;
    }

    /** Forgets {@code source}'s open interval for {@code outcome} (its first line could not be written). */
    void forget(String source, String outcome) {
        Open o = open.remove(new Key(source, outcome));
        if (o != null && source != null) tracked--;
    }

    /**
     * Ends every interval that began {@code interval} or more before {@code nowMillis} (every one when {@code all}):
     * they are forgotten, and those that counted refusals are returned, oldest first.
     */
    List<Count> due(long nowMillis, boolean all) {
        List<Count> out = new ArrayList<>();
        Iterator<Map.Entry<Key, Open>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Open> e = it.next();
            Open o = e.getValue();
            if (!all && nowMillis - o.fromMillis < intervalMillis) continue;
            it.remove();
            if (e.getKey().source() != null) tracked--;
            if (o.count > 0) out.add(new Count(e.getKey(), o.fromMillis, o.count));
        }
        return out;
    }

    /** Groups currently counted (sources tracked plus "other sources" groups); for tests. */
    int size() {
        return open.size();
    }
}
