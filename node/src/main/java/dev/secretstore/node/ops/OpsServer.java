package dev.secretstore.node.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.H256;
import dev.secretstore.http.HostAllowList;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The operations listener ({@code ops_interface}, {@code ops_port}; design decision 11):
 * {@code GET /health} answers 200 while the node can serve ({@link NodeMetrics.Gauges#canServe()}) and 503 while it
 * is up but cannot (issue #15), with status {@code ok}, {@code under_replicated} (200: this member lacks keys it should
 * hold, repair pending, SEC-40), {@code unresponsive} (503: the cluster loop did not answer), {@code storage_failing}
 * (503: SEC-38) or {@code no_quorum} (503: no other member connected), the members connected, the largest threshold
 * servable now, the storage state, the version, and the cluster id requesters sign for ({@code cluster_id}, docs/auth.md §3);
 * {@code GET /metrics} serves {@link NodeMetrics} in the Prometheus text format. Nothing else; no
 * key data. Binds to loopback unless configured otherwise (SEC-30); a {@code Host} other than the bound address,
 * {@code localhost} or a loopback literal gets 403 (SEC-37, DNS rebinding).
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OpsServer.class.getName());

    /** SEC-37: the bound address, localhost and loopback literals only (no option: monitoring scrapes by address). */
    private static final HostAllowList HOSTS = HostAllowList.defaults();

    /** The project version from the jar manifest, {@code "development"} when run from classes. */
    static final String VERSION = java.util.Objects.requireNonNullElse(OpsServer.class.getPackage().getImplementationVersion(),
            "development");

    private final HttpServer server;
    private final ExecutorService executor;
    private final NodeMetrics metrics;
    private final Supplier<NodeMetrics.Gauges> gauges;
    private final H256 clusterId;

    /** @param gauges reads the point-in-time values; must not block for long (it bounds its wait on the loop itself) */
    public OpsServer(InetSocketAddress bind, NodeMetrics metrics, Supplier<NodeMetrics.Gauges> gauges) throws IOException {
        this(bind, metrics, gauges, null);
    }

    /** @param clusterId the cluster id {@code /health} reports as {@code cluster_id} (docs/auth.md §3); null: none */
    public OpsServer(InetSocketAddress bind, NodeMetrics metrics, Supplier<NodeMetrics.Gauges> gauges, H256 clusterId) throws IOException {
        this.clusterId = clusterId;
        this.metrics = metrics;
        this.gauges = gauges;
        this.server = HttpServer.create(bind, 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ops");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!HOSTS.admits(exchange.getRequestHeaders().get("Host"), exchange.getProtocol(), server.getAddress())) {
                exchange.getResponseHeaders().set("Content-Type", HostAllowList.REFUSED_CONTENT_TYPE);
                exchange.sendResponseHeaders(HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_BODY.length);
                exchange.getResponseBody().write(HostAllowList.REFUSED_BODY);
            } else if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
            } else if (path.equals("/health")) {
                NodeMetrics.Gauges g = gauges.get();
                long missing = g.availability().keysMissingHere();
                String status = !g.loopResponsive() ? "unresponsive" : !g.storageOk() ? "storage_failing"
                        : !g.canServe() ? "no_quorum" : missing > 0 ? "under_replicated" : "ok";
                send(exchange, g.canServe() ? 200 : 503, "application/json",
                        "{\"status\":\"" + status + "\",\"peers_connected\":" + g.peersConnected()
                                + ",\"members\":" + g.membersConfigured() + ",\"sessions_active\":" + g.sessionsActive()
                                + ",\"keys_missing_here\":" + missing
                                + ",\"members_connected\":" + jsonStrings(g.connected())
                                + ",\"serving_threshold\":" + g.servingThreshold()
                                + ",\"storage\":\"" + g.storage() + "\",\"version\":\"" + VERSION + "\""
                                + (clusterId == null ? "" : ",\"cluster_id\":\"0x" + clusterId.toHex() + "\"") + "}");
            } else if (path.equals("/metrics")) {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(gauges.get()));
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "ops request failed: " + e);
        }
    }

    /** Values made of hex digits, letters and dots only (node ids, storage states): no escaping needed. */
    private static String jsonStrings(java.util.List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
