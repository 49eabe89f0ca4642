package dev.secretstore.rpc.http;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.SourceKey;
import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.http.server.HttpRequest;
import dev.secretstore.http.server.HttpResponse;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.rpc.SecretStoreRpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The rpc service over HTTP/1.1 (jsonrpc.md §1, §2, §6): {@code POST} a JSON-RPC request or batch to
 * any path; every JSON-RPC response is HTTP 200 {@code application/json}. CORS as the key server HTTP
 * API (default {@code none}) with preflight support. Binds to 127.0.0.1 unless told otherwise
 * (SEC-30). A request whose {@code Host} the {@link HostAllowList} refuses gets 403
 * {@code Host not allowed} in plain text before anything else, so a page that rebinds its name to this
 * machine cannot reach the accounts (SEC-37). Request bodies are never logged.
 *
 * <p>The listener is an {@link EdgeServer} named {@code rpc} (SEC-34): one I/O thread, the calls on its
 * handler threads (a call blocks on the keystore's key derivation), and the {@link ServerLimits} given
 * (by default {@link ServerLimits#defaults(int) the defaults} with bodies up to {@link #MAX_BODY}: a
 * larger body gets 413 from the layer). With a {@link ReloadingTls} it serves HTTPS only.
 */
public final class RpcHttpServer implements AutoCloseable {
    /** Default port, as Parity's JSON-RPC. */
    public static final int DEFAULT_PORT = 8545;
    /** Largest accepted request body. */
    public static final int MAX_BODY = 16 * 1024 * 1024;
    /** The listener's name (thread names, logs). */
    public static final String LISTENER = "rpc";

    private static final String JSON = "application/json; charset=utf-8";
    private static final byte[] EMPTY = new byte[0];

    private final SecretStoreRpc rpc;
    private final CorsPolicy cors;
    private final HostAllowList hosts;
    /** The bound address, known once the listener is up: the Host check compares against it. */
    private final CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    private EdgeServer server;

    private RpcHttpServer(SecretStoreRpc rpc, CorsPolicy cors, HostAllowList hosts) {
        this.rpc = Objects.requireNonNull(rpc, "rpc");
        this.cors = Objects.requireNonNull(cors, "cors");
        this.hosts = Objects.requireNonNull(hosts, "hosts");
    }

    /** Starts on {@code iface:port} ({@code port} 0 picks a free port) with the default Host allow-list. */
    public static RpcHttpServer start(SecretStoreRpc rpc, String iface, int port, CorsPolicy cors) throws IOException {
        return start(rpc, iface, port, cors, HostAllowList.defaults());
    }

    /** Starts on {@code iface:port} ({@code port} 0 picks a free port), plain HTTP with the default limits. */
    public static RpcHttpServer start(SecretStoreRpc rpc, String iface, int port, CorsPolicy cors, HostAllowList hosts)
            throws IOException {
        return start(rpc, iface, port, cors, hosts, ServerLimits.defaults(MAX_BODY), null);
    }

    /**
     * Starts on {@code iface:port} ({@code port} 0 picks a free port) under {@code limits}.
     *
     * @param tls null for plain HTTP
     * @throws java.net.BindException naming the listener and the address when the port is taken
     */
    public static RpcHttpServer start(SecretStoreRpc rpc, String iface, int port, CorsPolicy cors, HostAllowList hosts,
                                      ServerLimits limits, ReloadingTls tls) throws IOException {
        RpcHttpServer s = new RpcHttpServer(rpc, cors, hosts);
        s.server = EdgeServer.start(LISTENER, new InetSocketAddress(iface, port), limits, tls,
                request -> CompletableFuture.completedFuture(s.exchange(request)), 1);
        s.bound.complete(s.server.address());
        return s;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** True when the listener serves HTTPS. */
    public boolean secure() {
        return server.secure();
    }

    /** The listener's counters: open, accepted and refused connections, deadlines that closed one, requests. */
    public EdgeServer.Stats stats() {
        return server.stats();
    }

    /** {@code http://host:port} of the listener ({@code https://} with TLS). */
    public URI uri() {
        InetSocketAddress a = server.address();
        String host = a.getHostString();
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        return URI.create((secure() ? "https://" : "http://") + host + ":" + a.getPort());
    }

    private HttpResponse exchange(HttpRequest request) {
        try {
            return answer(request);
        } catch (RuntimeException e) {
            // never log the request: it carries passwords
            System.err.println("rpc: internal error handling a request: " + e.getClass().getSimpleName());
            return HttpResponse.of(500);
        }
    }

    private HttpResponse answer(HttpRequest in) {
        // a request can only race the end of start() by the instant between bind and this future's completion
        if (!hosts.admits(in.headerValues("Host"), in.protocol(), bound.join())) {
            return HttpResponse.of(HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_CONTENT_TYPE, HostAllowList.REFUSED_BODY);
        }
        String method = in.method();
        String origin = in.header("Origin");
        CorsPolicy.Decision decision = cors.decide(origin, in.header("Host"));
        if (decision instanceof CorsPolicy.Decision.Rejected) return HttpResponse.of(404);
        String allowOrigin = decision instanceof CorsPolicy.Decision.Allowed a ? a.origin() : null;
        if (method.equals("OPTIONS") && origin != null && in.header("Access-Control-Request-Method") != null) {
            HttpResponse out = HttpResponse.of(204);
            if (allowOrigin != null) out = out.with("Access-Control-Allow-Origin", allowOrigin);
            return out.with("Access-Control-Allow-Methods", "POST, OPTIONS")
                    .with("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept")
                    .with("Access-Control-Max-Age", "600")
                    .with("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        }
        if (!method.equals("POST")) return HttpResponse.of(405).with("Allow", "POST, OPTIONS");
        String response = rpc.handle(new String(in.body(), StandardCharsets.UTF_8), source(in.remote()));
        HttpResponse out = HttpResponse.of(200, null, response == null ? EMPTY : response.getBytes(StandardCharsets.UTF_8));
        if (allowOrigin != null) out = out.with("Access-Control-Allow-Origin", allowOrigin).with("Vary", "Origin");
        return out.with("Content-Type", JSON);
    }

    /**
     * The lockout's source key: the client's {@link SourceKey} (the IPv4 address, or the /64 prefix of an
     * IPv6 address), the same key the listener's per-address connection cap counts by.
     */
    public static String source(InetSocketAddress remote) {
        if (remote == null || remote.getAddress() == null) return "unknown";
        return SourceKey.of(remote.getAddress()).text();
    }

    @Override
    public void close() {
        server.close();
    }
}
