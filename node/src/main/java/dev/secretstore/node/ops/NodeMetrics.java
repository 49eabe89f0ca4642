package dev.secretstore.node.ops;

import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.protocol.AvailabilityStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The node's counters (design decision 11), rendered in the Prometheus text format. Thread-safe;
 * labels are operation names and status codes, never key ids, addresses or anything secret (SEC-07).
 */
public final class NodeMetrics {
    private record RequestLabel(String op, int status) {}

    private final Map<RequestLabel, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> durationNanos = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> durationCount = new ConcurrentHashMap<>();

    private final StatusHistory history;

    public NodeMetrics() {
        this(System::currentTimeMillis);
    }

    /** @param clockMillis the wall clock the status page's history runs on */
    public NodeMetrics(java.util.function.LongSupplier clockMillis) {
        this.history = new StatusHistory(clockMillis);
    }

    /** One finished HTTP request. */
    public void request(String op, int status, long nanos) {
        history.request(op, status, nanos);
        requests.computeIfAbsent(new RequestLabel(op, status), l -> new LongAdder()).increment();
        durationNanos.computeIfAbsent(op, o -> new LongAdder()).add(nanos);
        durationCount.computeIfAbsent(op, o -> new LongAdder()).increment();
    }

    /** The status page's recent past: request buckets, the last requests, blamed members. */
    public StatusHistory history() {
        return history;
    }

    /** This node and the configured members (node ids, {@code 0x}…, this node included) the status page lists. */
    public record Cluster(String self, List<String> members, java.util.function.LongSupplier keysHeld) {
        public Cluster {
            members = List.copyOf(members);
        }
    }

    private volatile Cluster cluster;

    /** Names this node, its members and how to count the keys it holds, for the status page. */
    public void cluster(String self, List<String> members, java.util.function.LongSupplier keysHeld) {
        cluster = new Cluster(self, members, keysHeld);
    }

    /** What {@link #cluster} set, or null. */
    public Cluster cluster() {
        return cluster;
    }

    private final Map<String, Supplier<EdgeServer.Stats>> listeners = new ConcurrentHashMap<>();

    /** An HTTP listener ({@code http-api}, {@code ops}) whose connection counters {@link #render} exports (SEC-34). */
    public void listener(String name, Supplier<EdgeServer.Stats> stats) {
        listeners.put(name, stats);
    }

    private record SessionLabel(String type, String role, String outcome) {}

    private final Map<SessionLabel, LongAdder> sessions = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> blamed = new ConcurrentHashMap<>();

    /**
     * One cluster session ended on this node: its type, whether this node was its master, how it ended
     * ({@code ok} or the error kind) and how many nodes it blamed (crypto.md §11.3: every blame is counted).
     */
    public void session(String type, boolean master, String outcome, int blamedNodes) {
        sessions.computeIfAbsent(new SessionLabel(type, master ? "master" : "member", outcome), l -> new LongAdder()).increment();
        if (blamedNodes > 0) blamed.computeIfAbsent(type, t -> new LongAdder()).add(blamedNodes);
    }

    private final Map<String, LongAdder> roundTripSum = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> roundTripCount = new ConcurrentHashMap<>();

    /**
     * A key-use request ({@code decryption}, {@code schnorr_signing}, {@code ecdsa_signing}) mastered here ended after
     * {@code roundTrips} member round trips (issue #18): exported as the summary {@code secretstore_session_round_trips},
     * whose {@code _sum / _count} is the mean number of round trips per request.
     */
    public void roundTrips(String type, int roundTrips) {
        roundTripSum.computeIfAbsent(type, t -> new LongAdder()).add(roundTrips);
        roundTripCount.computeIfAbsent(type, t -> new LongAdder()).increment();
    }

    /** {@link #session} naming the members blamed (node ids, {@code 0x}…), which the status page lists. */
    public void session(String type, boolean master, String outcome, java.util.Collection<String> blamedNodes) {
        session(type, master, outcome, blamedNodes.size());
        if (!blamedNodes.isEmpty()) history.blamed(type, blamedNodes);
    }

    /**
     * Point-in-time values read when metrics are scraped; {@code availability} is the repair and refresh state
     * (SEC-40), {@link AvailabilityStatus#snapshot() all zero} when the loop did not answer; {@code connected} the
     * node ids ({@code 0x}…) of the members connected now, this node included; {@code storage} the
     * {@link dev.secretstore.node.storage.StorageHealth storage state} (SEC-38), {@code "ok"} when it takes writes.
     */
    public record Gauges(int membersConfigured, int peersConnected, int sessionsActive, boolean loopResponsive,
                         AvailabilityStatus.Snapshot availability, List<String> connected, String storage) {
        public Gauges {
            connected = List.copyOf(connected);
        }

        /**
         * The largest threshold this node can serve now (issue #15): a key of threshold t needs t+1 members,
         * so connected members, this node included, minus one.
         */
        public int servingThreshold() {
            return peersConnected;
        }

        /**
         * Whether {@code /health} answers 200 (issue #15): the loop answers, storage takes writes (SEC-38), and in a
         * cluster of more than one member at least one other member is connected (serving threshold at least 1).
         */
        public boolean canServe() {
            return loopResponsive && storageOk() && (membersConfigured <= 1 || servingThreshold() >= 1);
        }

        public boolean storageOk() {
            return "ok".equals(storage);
        }
    }

    /** The Prometheus text exposition (version 0.0.4). */
    public String render(Gauges g) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# HELP secretstore_http_requests_total HTTP API requests by operation and status.\n");
        sb.append("# TYPE secretstore_http_requests_total counter\n");
        new TreeMap<String, Long>(flatten()).forEach((labels, v) ->
                sb.append("secretstore_http_requests_total{").append(labels).append("} ").append(v).append('\n'));
        sb.append("# HELP secretstore_http_request_duration_seconds Time from request to response, by operation.\n");
        sb.append("# TYPE secretstore_http_request_duration_seconds summary\n");
        new TreeMap<>(durationCount).forEach((op, count) -> {
            double seconds = durationNanos.getOrDefault(op, new LongAdder()).sum() / 1e9;
            sb.append("secretstore_http_request_duration_seconds_sum{op=\"").append(op).append("\"} ").append(seconds).append('\n');
            sb.append("secretstore_http_request_duration_seconds_count{op=\"").append(op).append("\"} ").append(count.sum()).append('\n');
        });
        sb.append("# HELP secretstore_sessions_total Cluster sessions ended on this node, by type, role and outcome.\n");
        sb.append("# TYPE secretstore_sessions_total counter\n");
        Map<String, Long> bySession = new TreeMap<>();
        sessions.forEach((l, v) -> bySession.put("type=\"" + l.type() + "\",role=\"" + l.role() + "\",outcome=\"" + l.outcome() + "\"", v.sum()));
        bySession.forEach((labels, v) -> sb.append("secretstore_sessions_total{").append(labels).append("} ").append(v).append('\n'));
        sb.append("# HELP secretstore_blamed_nodes_total Nodes blamed for a faulty contribution (identifiable abort), by session type.\n");
        sb.append("# TYPE secretstore_blamed_nodes_total counter\n");
        new TreeMap<>(blamed).forEach((type, v) ->
                sb.append("secretstore_blamed_nodes_total{type=\"").append(type).append("\"} ").append(v.sum()).append('\n'));
        sb.append("# HELP secretstore_session_round_trips Member round trips of each key-use request mastered here, by session type.\n");
        sb.append("# TYPE secretstore_session_round_trips summary\n");
        new TreeMap<>(roundTripCount).forEach((type, count) -> {
            sb.append("secretstore_session_round_trips_sum{type=\"").append(type).append("\"} ")
                    .append(roundTripSum.getOrDefault(type, new LongAdder()).sum()).append('\n');
            sb.append("secretstore_session_round_trips_count{type=\"").append(type).append("\"} ").append(count.sum()).append('\n');
        });
        gauge(sb, "secretstore_cluster_members", "Configured members, this node included.", g.membersConfigured());
        gauge(sb, "secretstore_cluster_peers_connected", "Members with a live authenticated connection.", g.peersConnected());
        gauge(sb, "secretstore_cluster_members_connected", "Members connected now, this node included.", g.peersConnected() + 1);
        gauge(sb, "secretstore_serving_threshold", "The largest key threshold this node can serve now (connected members - 1).",
                g.servingThreshold());
        gauge(sb, "secretstore_storage_ok", "1 if the data directory and the key database take writes (SEC-38).",
                g.storageOk() ? 1 : 0);
        gauge(sb, "secretstore_sessions_active", "Cluster sessions running on this node.", g.sessionsActive());
        gauge(sb, "secretstore_cluster_loop_responsive", "1 if the cluster loop answered within the scrape timeout.",
                g.loopResponsive() ? 1 : 0);
        AvailabilityStatus.Snapshot a = g.availability();
        gauge(sb, "secretstore_keys_missing_here", "Keys this member should hold and does not yet (repair pending).", a.keysMissingHere());
        counter(sb, "secretstore_share_repairs_total", "Share repairs this member ran for itself, by outcome.",
                Map.of("outcome=\"done\"", a.repairsDone(), "outcome=\"failed\"", a.repairsFailed()));
        counter(sb, "secretstore_repair_sweeps_total", "Completed looks for keys this member should hold.",
                Map.of("", a.sweepsCompleted()));
        counter(sb, "secretstore_refreshed_keys_total", "Keys whose shares a refresh mastered here re-randomised.",
                Map.of("", a.refreshedKeys()));
        counter(sb, "secretstore_share_refreshes_failed_total", "Refresh sessions mastered here that failed.",
                Map.of("", a.refreshesFailed()));
        renderListeners(sb);
        return sb.toString();
    }

    /** SEC-34: each HTTP listener's connections, refusals at its caps, deadlines that closed connections, and 503s. */
    private void renderListeners(StringBuilder sb) {
        if (listeners.isEmpty()) return;
        Map<String, EdgeServer.Stats> now = new TreeMap<>();
        listeners.forEach((name, stats) -> now.put(name, stats.get()));
        sb.append("# HELP secretstore_http_connections_open Open connections of an HTTP listener.\n");
        sb.append("# TYPE secretstore_http_connections_open gauge\n");
        now.forEach((name, st) -> sb.append("secretstore_http_connections_open{listener=\"").append(name).append("\"} ")
                .append(st.open()).append('\n'));
        Map<String, Long> accepted = new TreeMap<>();
        Map<String, Long> refused = new TreeMap<>();
        Map<String, Long> timeouts = new TreeMap<>();
        Map<String, Long> busy = new TreeMap<>();
        now.forEach((name, st) -> {
            String l = "listener=\"" + name + "\"";
            accepted.put(l, st.accepted());
            refused.put(l + ",reason=\"per_address\"", st.refusedPerSource());
            refused.put(l + ",reason=\"total\"", st.refusedTotal());
            timeouts.put(l, st.timedOut());
            busy.put(l, st.busy());
        });
        counter(sb, "secretstore_http_connections_accepted_total", "Connections an HTTP listener accepted.", accepted);
        counter(sb, "secretstore_http_connections_refused_total",
                "Connections an HTTP listener closed at once, over its cap per source address or in total.", refused);
        counter(sb, "secretstore_http_timeouts_total",
                "Connections an HTTP listener closed because a header, body, idle or write deadline passed.", timeouts);
        counter(sb, "secretstore_http_busy_total", "Requests an HTTP listener answered 503 because its handler queue was full.", busy);
    }

    private Map<String, Long> flatten() {
        Map<String, Long> out = new TreeMap<>();
        requests.forEach((l, v) -> out.put("op=\"" + l.op() + "\",status=\"" + l.status() + "\"", v.sum()));
        return out;
    }

    private static void counter(StringBuilder sb, String name, String help, Map<String, Long> byLabels) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(byLabels).forEach((labels, v) ->
                sb.append(name).append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ').append(v).append('\n'));
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(value).append('\n');
    }
}
