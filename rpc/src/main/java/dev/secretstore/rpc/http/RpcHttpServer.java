package dev.secretstore.rpc.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.rpc.SecretStoreRpc;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The rpc service over HTTP/1.1 (jsonrpc.md §1, §2, §6): {@code POST} a JSON-RPC request or batch to
 * any path; every JSON-RPC response is HTTP 200 {@code application/json}. CORS as the key server HTTP
 * API (default {@code none}) with preflight support. Binds to 127.0.0.1 unless told otherwise
 * (SEC-30). A request whose {@code Host} the {@link HostAllowList} refuses gets 403
 * {@code Host not allowed} in plain text before anything else, so a page that rebinds its name to this
 * machine cannot reach the accounts (SEC-37). Request bodies are never logged.
 */
public final class RpcHttpServer implements AutoCloseable {
    /** Default port, as Parity's JSON-RPC. */
    public static final int DEFAULT_PORT = 8545;
    /** Largest accepted request body. */
    public static final int MAX_BODY = 16 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final SecretStoreRpc rpc;
    private final CorsPolicy cors;
    private final HostAllowList hosts;

    private RpcHttpServer(HttpServer server, ExecutorService executor, SecretStoreRpc rpc, CorsPolicy cors, HostAllowList hosts) {
        this.server = server;
        this.executor = executor;
        this.rpc = rpc;
        this.cors = cors;
        this.hosts = hosts;
    }

    /** Starts on {@code iface:port} ({@code port} 0 picks a free port) with the default Host allow-list. */
    public static RpcHttpServer start(SecretStoreRpc rpc, String iface, int port, CorsPolicy cors) throws IOException {
        return start(rpc, iface, port, cors, HostAllowList.defaults());
    }

    /** Starts on {@code iface:port} ({@code port} 0 picks a free port). */
    public static RpcHttpServer start(SecretStoreRpc rpc, String iface, int port, CorsPolicy cors, HostAllowList hosts)
            throws IOException {
        java.util.Objects.requireNonNull(hosts, "hosts");
        HttpServer server = HttpServer.create(new InetSocketAddress(iface, port), 64);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "rpc-http");
            t.setDaemon(true);
            return t;
        });
        RpcHttpServer s = new RpcHttpServer(server, executor, rpc, cors, hosts);
        server.createContext("/", s::exchange);
        server.setExecutor(executor);
        server.start();
        return s;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port} of the listener. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            Headers in = ex.getRequestHeaders();
            if (!hosts.admits(in.get("Host"), ex.getProtocol(), server.getAddress())) {
                ex.getResponseHeaders().set("Content-Type", HostAllowList.REFUSED_CONTENT_TYPE);
                ex.sendResponseHeaders(HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_BODY.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(HostAllowList.REFUSED_BODY);
                }
                return;
            }
            String method = ex.getRequestMethod();
            String origin = in.getFirst("Origin");
            CorsPolicy.Decision decision = cors.decide(origin, in.getFirst("Host"));
            if (decision instanceof CorsPolicy.Decision.Rejected) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            String allowOrigin = decision instanceof CorsPolicy.Decision.Allowed a ? a.origin() : null;
            Headers out = ex.getResponseHeaders();
            if (method.equals("OPTIONS") && origin != null && in.getFirst("Access-Control-Request-Method") != null) {
                if (allowOrigin != null) out.set("Access-Control-Allow-Origin", allowOrigin);
                out.set("Access-Control-Allow-Methods", "POST, OPTIONS");
                out.set("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept");
                out.set("Access-Control-Max-Age", "600");
                out.set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if (!method.equals("POST")) {
                out.set("Allow", "POST, OPTIONS");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = readBody(ex.getRequestBody());
            if (body == null) {
                ex.sendResponseHeaders(413, -1);
                return;
            }
            String response = rpc.handle(new String(body, StandardCharsets.UTF_8), source(ex.getRemoteAddress()));
            if (allowOrigin != null) {
                out.set("Access-Control-Allow-Origin", allowOrigin);
                out.set("Vary", "Origin");
            }
            out.set("Content-Type", "application/json; charset=utf-8");
            if (response == null) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        } catch (RuntimeException e) {
            // never log the request: it carries passwords
            System.err.println("rpc: internal error handling a request: " + e.getClass().getSimpleName());
        }
    }

    /** The lockout's source key: the IPv4 address, or the /64 prefix of an IPv6 address. */
    public static String source(InetSocketAddress remote) {
        if (remote == null || remote.getAddress() == null) return "unknown";
        InetAddress a = remote.getAddress();
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
        }
        return a.getHostAddress();
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        return bytes.length > MAX_BODY ? null : bytes;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
