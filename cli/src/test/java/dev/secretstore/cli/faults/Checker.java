package dev.secretstore.cli.faults;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.node.scenario.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What must hold once every fault is healed (after every member swept for keys it lacks and found none), checked against what the client was told ({@link FaultRun}'s
 * model) and the {@link History}; each failure becomes a {@link FaultRun#violation}:
 * <ol>
 *   <li>every acknowledged key is served with the same Y through every member (endpoint 4 through each), and a key
 *       whose generation was not acknowledged through every member or through none;</li>
 *   <li>every acknowledged document key decrypts through every group of t+1 members (endpoint 6 through one
 *       of them, the others named in {@code Secretstore-Exclude-Nodes}), and one whose store was not
 *       acknowledged gives the same answer through every group;</li>
 *   <li>no request waited longer than its deadline, and none went unanswered;</li>
 *   <li>({@link #storeFiles}, with every member stopped) the SQLite files hold no prepared row, the same key ids
 *       on every member with the same public key, and only keys the workload asked for.</li>
 * </ol>
 * A member may need time after healing (resolving what it left prepared, repair every 2 s; until then a group
 * holding fewer than t+1 copies of a document key answers 403 "Consensus unreachable", as documented for
 * {@code Secretstore-Exclude-Nodes}): each check asks again until it holds or {@link FaultRun#SETTLE} has passed.
 * Endpoint 4 through a member that lacks a key is answered from the holders (docs/availability/entry-point.md),
 * so only check 4 (the files) proves that every member holds every key itself.
 */
final class Checker {
    private final FaultRun run;

    Checker(FaultRun run) {
        this.run = run;
    }

    /** Checks 1 and 2 for the given keys, once every member ran a repair sweep that found nothing missing. */
    void keys(Collection<H256> generations, Collection<H256> stores) {
        repaired();
        for (H256 id : generations) serverKey(id);
        for (H256 id : stores) documentKey(id);
    }

    /** Every member completed a repair sweep since it started and lacks no key ({@code /metrics}, SEC-40). */
    private void repaired() {
        List<String> state = new ArrayList<>();
        boolean done = run.cluster.within(FaultRun.SETTLE, () -> {
            state.clear();
            for (int m = 0; m < FaultRun.N; m++) {
                state.add("member " + m + ": sweeps " + run.cluster.metric(m, "secretstore_repair_sweeps_total") + ", missing "
                        + run.cluster.metric(m, "secretstore_keys_missing_here"));
            }
            return state.stream().allMatch(line -> !line.contains("sweeps 0,") && !line.contains("sweeps -1,") && line.endsWith("missing 0"));
        });
        if (!done) run.violation("members still lack keys " + FaultRun.SETTLE.toSeconds() + " s after healing: " + state);
    }

    private void serverKey(H256 id) {
        PublicPoint acked = run.generated.get(id);
        List<String> answers = new ArrayList<>();
        boolean settled = run.cluster.within(FaultRun.SETTLE, () -> {
            answers.clear();
            for (int m = 0; m < FaultRun.N; m++) {
                int member = m;
                answers.add(run.history.request("check-server-key", id, member, FaultRun.ANSWER, () -> run.cluster.retrieveServerKey(member, id))
                        .toString());
            }
            boolean agree = answers.stream().distinct().count() == 1;
            return agree && (acked == null ? answers.get(0).startsWith("200 ") || answers.get(0).equals("404 " + FaultRun.SERVER_KEY_NOT_FOUND)
                    : answers.get(0).equals("200 " + acked));
        });
        if (!settled) {
            run.violation(acked != null ? "acknowledged key " + History.shortId(id) + " (Y " + acked + ") after healing: members answer " + answers
                    : "key " + History.shortId(id) + " (generation not acknowledged) exists on only some members: " + answers);
        }
    }

    private void documentKey(H256 id) {
        PublicPoint acked = run.stored.get(id);
        PublicPoint attempted = run.storeAttempted.get(id);
        Map<Set<Integer>, String> answers = new LinkedHashMap<>();
        boolean settled = run.cluster.within(FaultRun.SETTLE, () -> {
            answers.clear();
            for (Set<Integer> group : groups()) {
                int via = group.iterator().next();
                List<Integer> excluded = IntStream.range(0, FaultRun.N).boxed().filter(m -> !group.contains(m)).toList();
                Outcome<PublicPoint> o = run.history.request("check-doc-key" + group, id, via, FaultRun.ANSWER,
                        () -> run.cluster.retrieveDocumentKeyFromShadows(via, id, excluded));
                answers.put(group, o.ok() ? (o.value().equals(attempted) ? "200 M" : "200 wrong " + o.value()) : o.answer());
            }
            Set<String> distinct = new LinkedHashSet<>(answers.values());
            return distinct.size() == 1 && (distinct.contains("200 M") || (acked == null && distinct.contains("404 " + FaultRun.DOCUMENT_KEY_NOT_FOUND)));
        });
        if (!settled) {
            run.violation(acked != null ? "acknowledged document key " + History.shortId(id) + " through each group of t+1: " + answers
                    : "document key " + History.shortId(id) + " (store not acknowledged) differs between groups of t+1: " + answers);
        }
    }

    /** Every set of t+1 members, in ascending order. */
    static List<Set<Integer>> groups() {
        List<Set<Integer>> out = new ArrayList<>();
        int n = FaultRun.N;
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) != FaultRun.T + 1) continue;
            int bits = mask;
            out.add(IntStream.range(0, n).filter(m -> (bits & (1 << m)) != 0).boxed().collect(Collectors.toCollection(LinkedHashSet::new)));
        }
        return out;
    }

    /** Check 3 over {@code entries}. */
    void deadlines(List<History.Entry> entries) {
        for (History.Entry e : History.requests(entries)) {
            if (e.tookMs() > e.deadlineMs() || e.outcome().startsWith(String.valueOf(Outcome.NO_ANSWER))) {
                run.violation("request waited past its deadline: " + e);
            }
        }
    }

    /** A key's row in one member's file. */
    record Row(String publicKey, boolean committed) {}

    /**
     * Check 4: stops every member (kill -9, as a crash), waits for nothing, and reads a copy of each member's
     * {@code keys.sqlite} (with its WAL): the store is opened with an exclusive lock while a node runs
     * (docs/operations.md), so the files are read after the processes are gone.
     */
    void storeFiles() {
        run.cluster.within(FaultRun.SETTLE, run.cluster::idle); // no session still writing
        for (int m = 0; m < FaultRun.N; m++) run.kill(m, "to read its key store");
        List<Map<String, Row>> rows = new ArrayList<>();
        List<Long> pending = new ArrayList<>();
        for (int m = 0; m < FaultRun.N; m++) {
            Path data = run.disk.data(run.configIndex(m));
            Map<String, Row> keys = new TreeMap<>();
            long[] pendingRows = new long[1];
            read(data, c -> {
                try (Statement s = c.createStatement()) {
                    try (ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM key_shares WHERE committed = 0 OR pending_doc_common_point IS NOT NULL)"
                            + " + (SELECT count(*) FROM key_versions WHERE committed = 0)")) {
                        pendingRows[0] = r.next() ? r.getLong(1) : -1;
                    }
                    try (ResultSet r = s.executeQuery("SELECT key_id, public_key, committed FROM key_shares")) {
                        while (r.next()) keys.put(Hex.encode(r.getBytes(1)), new Row(Hex.encode(r.getBytes(2)), r.getInt(3) == 1));
                    }
                }
            });
            rows.add(keys);
            pending.add(pendingRows[0]);
        }
        run.history.note("key stores: keys per member " + rows.stream().map(Map::size).toList() + ", prepared rows per member " + pending);
        for (int m = 0; m < FaultRun.N; m++) {
            if (pending.get(m) != 0) run.violation("member " + m + " has " + pending.get(m) + " prepared rows left after recovery");
            if (!rows.get(m).keySet().equals(rows.get(0).keySet())) {
                Set<String> only = new java.util.TreeSet<>(rows.get(m).keySet());
                only.removeAll(rows.get(0).keySet());
                Set<String> missing = new java.util.TreeSet<>(rows.get(0).keySet());
                missing.removeAll(rows.get(m).keySet());
                run.violation("member " + m + "'s key store differs from member 0's: only here " + shorten(only) + ", missing here " + shorten(missing));
            }
        }
        Set<String> asked = run.attempted.stream().map(H256::toHex).map(Checker::bare).collect(Collectors.toSet());
        for (Map.Entry<H256, PublicPoint> e : run.generated.entrySet()) {
            for (int m = 0; m < FaultRun.N; m++) {
                Row row = rows.get(m).get(bare(e.getKey().toHex()));
                if (row == null || !row.committed() || !row.publicKey().equalsIgnoreCase(bare(e.getValue().toHex()))) {
                    run.violation("acknowledged key " + History.shortId(e.getKey()) + " in member " + m + "'s file: " + row);
                }
            }
        }
        for (int m = 0; m < FaultRun.N; m++) {
            for (String id : rows.get(m).keySet()) {
                if (!asked.contains(bare(id))) run.violation("member " + m + " holds key " + id + " that no request asked for");
            }
        }
    }

    private static String bare(String hex) {
        return (hex.startsWith("0x") ? hex.substring(2) : hex).toLowerCase(java.util.Locale.ROOT);
    }

    private static String shorten(Set<String> ids) {
        return ids.stream().map(i -> bare(i).substring(0, 8)).toList().toString();
    }

    private interface Query {
        void on(Connection c) throws SQLException;
    }

    private static void read(Path data, Query query) {
        try {
            Path copy = Files.createTempDirectory(data.getParent(), "copy-of-" + data.getFileName() + "-");
            for (String f : List.of("keys.sqlite", "keys.sqlite-wal")) {
                if (Files.exists(data.resolve(f))) Files.copy(data.resolve(f), copy.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("keys.sqlite"))) {
                query.on(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the key store in " + data, e);
        }
    }
}
