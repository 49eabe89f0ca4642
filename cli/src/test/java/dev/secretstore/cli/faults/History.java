package dev.secretstore.cli.faults;

import dev.secretstore.crypto.H256;
import dev.secretstore.node.scenario.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The log of a run, Jepsen style: every client request (operation, key id, the member it went to, start and
 * end in ms since the run began, outcome, and the deadline it had) and every fault the nemesis applied, in
 * the order they started. Thread-safe: the nemesis records from its own threads.
 */
final class History {
    /** One line: a request ({@code via} ≥ 0) or a nemesis event ({@code via} = -1, no end). */
    record Entry(long startMs, long endMs, String op, String key, int via, String outcome, long deadlineMs) {
        long tookMs() {
            return endMs - startMs;
        }

        boolean request() {
            return via >= 0;
        }

        @Override
        public String toString() {
            if (!request()) return String.format("%7d          nemesis   %s", startMs, op);
            return String.format("%7d %7d  via %d     %-20s %s  %s  (%d ms, deadline %d ms)", startMs, endMs, via, op, key, outcome, tookMs(),
                    deadlineMs);
        }
    }

    private long origin = System.nanoTime();
    private final List<Entry> entries = new ArrayList<>();

    /** Time 0 of the history: now (when the cluster is up). */
    synchronized void start() {
        origin = System.nanoTime();
    }

    long now() {
        return (System.nanoTime() - origin) / 1_000_000;
    }

    /** Runs one request and logs it; {@code deadline} is the longest it may take (checked by {@link Checker}). */
    <T> Outcome<T> request(String op, H256 key, int via, Duration deadline, Supplier<Outcome<T>> call) {
        long start = now();
        Outcome<T> outcome = call.get();
        add(new Entry(start, now(), op, key == null ? "-" : shortId(key), via, abbreviated(outcome), deadline.toMillis()));
        return outcome;
    }

    void nemesis(String what) {
        long at = now();
        add(new Entry(at, at, what, "", -1, "", 0));
    }

    /** A line that is neither a request nor a fault (a schedule's start, a checker's finding). */
    void note(String what) {
        nemesis("# " + what);
    }

    private synchronized void add(Entry e) {
        entries.add(e);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized List<Entry> since(int index) {
        return List.copyOf(entries.subList(Math.min(index, entries.size()), entries.size()));
    }

    synchronized int size() {
        return entries.size();
    }

    static String shortId(H256 key) {
        return key.toHex().substring(0, 10);
    }

    private static String abbreviated(Outcome<?> o) {
        String s = o.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Lines {@code from} to the end, one per entry. */
    String render(int from) {
        StringBuilder sb = new StringBuilder("  start(ms) end(ms)  who       operation            key         outcome\n");
        List<Entry> lines = new ArrayList<>(since(from));
        lines.sort(java.util.Comparator.comparingLong(Entry::startMs)); // stable: a request logged at its end goes where it began
        for (Entry e : lines) sb.append(e).append('\n');
        return sb.toString();
    }

    static List<Entry> requests(List<Entry> entries) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) if (e.request()) out.add(e);
        return out;
    }
}
