package dev.secretstore.node.ops;

import dev.secretstore.crypto.H256;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.http.server.HttpHandler;
import dev.secretstore.http.server.HttpRequest;
import dev.secretstore.http.server.HttpResponse;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The operations listener ({@code ops_interface}, {@code ops_port}; design decision 11):
 * {@code GET /health} answers 200 while the node can serve ({@link NodeMetrics.Gauges#canServe()}) and 503 while it
 * is up but cannot (issue #15), with status {@code ok}, {@code under_replicated} (200: this member lacks keys it should
 * hold, repair pending, SEC-40), {@code unresponsive} (503: the cluster loop did not answer), {@code storage_failing}
 * (503: SEC-38) or {@code no_quorum} (503: no other member connected), the members connected, the largest threshold
 * servable now, the storage state, the version, and the cluster id requesters sign for ({@code cluster_id}, docs/auth.md §3);
 * {@code GET /metrics} serves {@link NodeMetrics} in the Prometheus text format; {@code GET /status} (and {@code /})
 * the operators' status page and {@code GET /status.json} its data ({@link StatusPage}, issue #16). Nothing else; no
 * key data. Binds to loopback unless configured otherwise (SEC-30); a {@code Host} other than the bound address,
 * {@code localhost} or a loopback literal gets 403 (SEC-37, DNS rebinding). Served by an {@link EdgeServer} named
 * {@value #LISTENER} with small fixed caps ({@link #limits}: SEC-34), optionally over TLS with client certificates.
 */
public final class OpsServer implements AutoCloseable, HttpHandler {
    /** The listener's name in thread names, logs and metrics. */
    public static final String LISTENER = "ops";
    /** Largest request body: the ops listener takes none, a scraper sends none. */
    public static final int MAX_BODY_BYTES = 4096;
    /** Open connections in total, and from one source (SEC-34): enough for monitoring, too few to matter. */
    public static final int MAX_CONNECTIONS = 64;
    public static final int MAX_CONNECTIONS_PER_ADDRESS = 16;
    /** One handler thread and a short queue: a scrape is cheap, a flood gets 503. */
    public static final int HANDLER_THREADS = 1;
    public static final int HANDLER_QUEUE = 16;

    /** SEC-37: the bound address, localhost and loopback literals only (no option: monitoring scrapes by address). */
    private static final HostAllowList HOSTS = HostAllowList.defaults();

    /** The project version from the jar manifest, {@code "development"} when run from classes. */
    static final String VERSION = java.util.Objects.requireNonNullElse(OpsServer.class.getPackage().getImplementationVersion(),
            "development");

    private final EdgeServer server;
    private final InetAddress bindAddress;
    private final NodeMetrics metrics;
    private final Supplier<NodeMetrics.Gauges> gauges;
    private final H256 clusterId;

    /** @param gauges reads the point-in-time values; must not block for long (it bounds its wait on the loop itself) */
    public OpsServer(InetSocketAddress bind, NodeMetrics metrics, Supplier<NodeMetrics.Gauges> gauges) throws IOException {
        this(bind, metrics, gauges, null);
    }

    /** @param clusterId the cluster id {@code /health} reports as {@code cluster_id} (docs/auth.md §3); null: none */
    public OpsServer(InetSocketAddress bind, NodeMetrics metrics, Supplier<NodeMetrics.Gauges> gauges, H256 clusterId) throws IOException {
        this(bind, metrics, gauges, clusterId, limits(ServerLimits.defaults(MAX_BODY_BYTES)), null);
    }

    /**
     * Binds {@code bind} and serves from then on.
     *
     * @param limits the listener's limits ({@link #limits(ServerLimits)} derives them from the HTTP settings)
     * @param tls    HTTPS material (with a client CA: client certificates required), or null for plain HTTP
     */
    public OpsServer(InetSocketAddress bind, NodeMetrics metrics, Supplier<NodeMetrics.Gauges> gauges, H256 clusterId,
                     ServerLimits limits, ReloadingTls tls) throws IOException {
        this.clusterId = clusterId;
        this.metrics = metrics;
        this.gauges = gauges;
        this.bindAddress = bind.getAddress();
        this.server = EdgeServer.start(LISTENER, bind, limits, tls, this, 1);
    }

    /**
     * The ops listener's limits: the deadlines and header size of {@code http} (the HTTP API's), a body of at most
     * {@value #MAX_BODY_BYTES} bytes, {@value #MAX_CONNECTIONS} connections ({@value #MAX_CONNECTIONS_PER_ADDRESS} per
     * source), {@value #HANDLER_THREADS} handler thread and a queue of {@value #HANDLER_QUEUE}.
     */
    public static ServerLimits limits(ServerLimits http) {
        return new ServerLimits(http.headerTimeout(), http.bodyTimeout(), http.idleTimeout(), http.maxHeaderBytes(), MAX_BODY_BYTES,
                MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, HANDLER_THREADS, HANDLER_QUEUE);
    }

    /** Kept for callers written against the former listener: this one serves from construction. */
    public void start() {
        // nothing to do: EdgeServer.start bound and started the listener in the constructor
    }

    public int port() {
        return server.port();
    }

    /** The configured address (a wildcard stays the wildcard it was written as) with the port bound. */
    public InetSocketAddress address() {
        return new InetSocketAddress(bindAddress, server.port());
    }

    public boolean secure() {
        return server.secure();
    }

    /** The listener's connection counters (for metrics). */
    public EdgeServer.Stats stats() {
        return server.stats();
    }

    @Override
    public CompletionStage<HttpResponse> handle(HttpRequest request) {
        return CompletableFuture.completedFuture(answer(request));
    }

    private HttpResponse answer(HttpRequest request) {
        String path = request.rawPath();
        InetSocketAddress bound = new InetSocketAddress(bindAddress, request.local().getPort());
        if (!HOSTS.admits(request.headerValues("Host"), request.protocol(), bound)) {
            return HttpResponse.of(HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_CONTENT_TYPE, HostAllowList.REFUSED_BODY);
        } else if (!request.method().equals("GET")) {
            return HttpResponse.of(405);
        } else if (path.equals("/health")) {
            NodeMetrics.Gauges g = gauges.get();
            long missing = g.availability().keysMissingHere();
            String status = healthStatus(g);
            return text(g.canServe() ? 200 : 503, "application/json",
                    "{\"status\":\"" + status + "\",\"peers_connected\":" + g.peersConnected()
                            + ",\"members\":" + g.membersConfigured() + ",\"sessions_active\":" + g.sessionsActive()
                            + ",\"keys_missing_here\":" + missing
                            + ",\"members_connected\":" + jsonStrings(g.connected())
                            + ",\"serving_threshold\":" + g.servingThreshold()
                            + ",\"storage\":\"" + g.storage() + "\",\"version\":\"" + VERSION + "\""
                            + (clusterId == null ? "" : ",\"cluster_id\":\"0x" + clusterId.toHex() + "\"") + "}");
        } else if (path.equals("/metrics")) {
            return text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(gauges.get()));
        } else if (path.equals("/status") || path.equals("/")) {
            return page(text(200, "text/html; charset=utf-8", StatusPage.HTML));
        } else if (path.equals("/status.json")) {
            NodeMetrics.Gauges g = gauges.get();
            return page(text(200, "application/json", StatusPage.json(g, healthStatus(g), metrics, VERSION,
                    clusterId == null ? null : "0x" + clusterId.toHex(), System.currentTimeMillis())));
        }
        return HttpResponse.of(404);
    }

    /** The {@code status} of {@code /health} for {@code g}. */
    static String healthStatus(NodeMetrics.Gauges g) {
        return !g.loopResponsive() ? "unresponsive" : !g.storageOk() ? "storage_failing"
                : !g.canServe() ? "no_quorum" : g.availability().underReplicated() ? "under_replicated" : "ok";
    }

    /** The status page's headers: its own CSP, never cached, never framed, never sniffed, no referrer. */
    private static HttpResponse page(HttpResponse response) {
        return response.with("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY)
                .with("Cache-Control", "no-store")
                .with("X-Content-Type-Options", "nosniff")
                .with("X-Frame-Options", "DENY")
                .with("Referrer-Policy", "no-referrer");
    }

    /** Values made of hex digits, letters and dots only (node ids, storage states): no escaping needed. */
    private static String jsonStrings(java.util.List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static HttpResponse text(int status, String type, String body) {
        return HttpResponse.of(status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
