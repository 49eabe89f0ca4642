package dev.secretstore.http.server;

import dev.secretstore.http.SourceKey;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Open-connection caps of one listener, in total and per {@link SourceKey} (SEC-34). {@link #tryOpen} takes a slot
 * or refuses; every slot taken is given back once by {@link #close}. Thread-safe.
 */
final class ConnectionLimiter {
    enum Refusal { TOTAL, SOURCE }

    private final int maxTotal;
    private final int maxPerSource;
    private final Map<SourceKey, Integer> bySource = new HashMap<>();
    private int total;

    ConnectionLimiter(int maxTotal, int maxPerSource) {
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
    }

    /** Takes a slot for a connection from {@code address}: null when admitted, else which cap refused it. */
    synchronized Refusal tryOpen(InetAddress address) {
        SourceKey key = SourceKey.of(address);
        int mine = bySource.getOrDefault(key, 0);
        if (mine >= maxPerSource) return Refusal.SOURCE;
        if (total >= maxTotal) return Refusal.TOTAL;
        bySource.put(key, mine + 1);
        total++;
        return null;
    }

    /** Gives back the slot of an admitted connection from {@code address}. */
    synchronized void close(InetAddress address) {
        SourceKey key = SourceKey.of(address);
        Integer mine = bySource.get(key);
        if (mine == null) return;
        if (mine <= 1) bySource.remove(key); else bySource.put(key, mine - 1);
        total--;
    }

    synchronized int open() {
        return total;
    }

    synchronized int open(InetAddress address) {
        return bySource.getOrDefault(SourceKey.of(address), 0);
    }
}
