package dev.secretstore.node.http;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The Parity-compatible HTTP listener (http-api.md). Thin: Host check, CORS, parse, derive the requester from its
 * credential ({@link RequesterCheck}: a {@code Secretstore-Authorization} header if sent, else the path's static
 * signature; SEC-32, docs/auth.md), call the {@link KeyServer}, map the result. A request whose {@code Host} the
 * {@link HostAllowList} refuses gets 403 {@code Host not allowed} in plain text before anything else
 * happens (SEC-37, DNS rebinding); every other request is answered byte for byte as before. A parsed request
 * then passes {@link Admission} by source address and operation before its signature is recovered (SEC-35):
 * refused, it is answered at once with {@code Retry-After} and 429 {@code "Too many requests"} (its source is
 * over its limit) or 503 {@code "Server busy"} (this node is at capacity), both in the API's error format. A
 * generation from a requester that {@link KeyCreators} refuses gets 403 {@code "Access denied"}. Answers are written when the session completes, so no
 * request thread waits on the cluster. One audit line per request: operation, key id, requester
 * address, credential kind ({@code static} or {@code fresh}), outcome, status, duration; never a secret nor a
 * signature (SEC-07, SEC-29).
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger AUDIT = Logger.getLogger("dev.secretstore.audit");
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    private static final String JSON = "application/json; charset=utf-8";
    private static final byte[] TOO_MANY_REQUESTS = ErrorResponses.body("Too many requests");
    /** SEC-35: the body of a 503 from {@link Admission} (this node is at capacity), in the API's error format [ext]. */
    static final byte[] SERVER_BUSY = ErrorResponses.body("Server busy");
    /** The JDK server's switch for TCP_NODELAY on accepted connections; it reads it once, when the first server is made. */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    /** The cluster id of an {@code HttpApi} built without a {@link RequesterCheck}. */
    public static final H256 STANDALONE_CLUSTER = ClusterId.ofName("standalone");

    static {
        // The JDK server writes a response's headers and body in separate writes. With Nagle's algorithm on (its
        // default), the body then waits for the client's delayed ACK of the headers: about 40 ms on Linux, on a
        // large share of requests (the cluster benchmark measured p95 56 ms against 18 ms without). An operator who
        // sets the property explicitly keeps their choice.
        if (System.getProperty(NODELAY_PROPERTY) == null) System.setProperty(NODELAY_PROPERTY, "true");
    }

    private final KeyServer keyServer;
    private final RequestParser parser;
    private final CorsPolicy cors;
    private final HostAllowList hosts;
    private final boolean strict;
    private final HttpServer server;
    private final ExecutorService executor;
    private final RequestLimits limits;
    private final Admission admission;
    private final KeyCreators creators;
    /** Admitted requests' tickets, released when they are answered (the JDK 17 server's exchange attributes are shared by all exchanges). */
    private final java.util.Map<HttpExchange, Admission.Ticket> tickets = new java.util.concurrent.ConcurrentHashMap<>();
    private final Observer observer;
    private final RequesterCheck requesters;

    /** Told about every finished request: the operation name, the status and the time taken (for metrics). */
    @FunctionalInterface
    public interface Observer {
        void finished(String operation, int status, long nanos);
    }

    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, boolean strict) throws IOException {
        this(keyServer, bind, cors, strict, new RequestLimits(RequestLimits.Config.NONE), (op, status, nanos) -> { });
    }

    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, boolean strict, RequestLimits limits,
                   Observer observer) throws IOException {
        this(keyServer, bind, cors, HostAllowList.defaults(), strict, limits, observer);
    }

    /** With Parity's legacy policy ({@code all}) under {@link #STANDALONE_CLUSTER}: for embedders and tests. */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Observer observer) throws IOException {
        this(keyServer, bind, cors, hosts, strict, limits, Admission.none(), KeyCreators.anyone(), observer);
    }

    /** With admission by cost and the key creators' allow-list (SEC-35); Parity's legacy policy under {@link #STANDALONE_CLUSTER}. */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Admission admission, KeyCreators creators, Observer observer) throws IOException {
        this(keyServer, bind, cors, hosts, strict, limits, admission, creators, observer, new RequesterCheck(
                RequesterCheck.Settings.parityCompatible(STANDALONE_CLUSTER), WallClock.SYSTEM, new ReplayGuard()));
    }

    /**
     * @param requesters how a request's credential becomes its requester: the node's own check (the one its
     *     {@code ClusterKeyServer} uses), whose settings {@code GET /cluster} also reports
     */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Admission admission, KeyCreators creators, Observer observer, RequesterCheck requesters)
            throws IOException {
        this.keyServer = keyServer;
        this.requesters = java.util.Objects.requireNonNull(requesters, "requesters");
        this.hosts = java.util.Objects.requireNonNull(hosts, "hosts");
        this.limits = limits;
        this.admission = java.util.Objects.requireNonNull(admission, "admission");
        this.creators = java.util.Objects.requireNonNull(creators, "creators");
        this.observer = observer;
        this.parser = new RequestParser(strict);
        this.cors = cors;
        this.strict = strict;
        this.server = HttpServer.create(bind, 128);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        try {
            Headers in = exchange.getRequestHeaders();
            if (!hosts.admits(in.get("Host"), exchange.getProtocol(), server.getAddress())) {
                // SEC-37: before CORS, parsing or any session; the body is read by nobody
                finish(exchange, null, HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_CONTENT_TYPE,
                        HostAllowList.REFUSED_BODY, "host-refused", null, null, started);
                return;
            }
            String origin = in.getFirst("Origin");
            CorsPolicy.Decision decision = cors.decide(origin, in.getFirst("Host"));
            if (decision instanceof CorsPolicy.Decision.Rejected) {
                finish(exchange, null, 404, null, null, "cors", null, null, started);
                return;
            }
            String allowOrigin = decision instanceof CorsPolicy.Decision.Allowed a ? a.origin() : null;
            String method = exchange.getRequestMethod();
            if (!strict && method.equals("OPTIONS") && origin != null && in.getFirst("Access-Control-Request-Method") != null) {
                preflight(exchange, allowOrigin, origin, started);
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            RequestParser.Result parsed = parser.parse(method, exchange.getRequestURI().getRawPath(), body);
            if (parsed instanceof RequestParser.Result.Invalid invalid) {
                LOG.fine(() -> "invalid request: " + invalid.reason());
                finish(exchange, allowOrigin, 400, null, null, "invalid", null, null, started);
                return;
            }
            ApiRequest request = ((RequestParser.Result.Ok) parsed).request();
            if (request instanceof ApiRequest.ClusterInfo) {
                // public and constant-cost, like a preflight: before admission
                finish(exchange, allowOrigin, 200, JSON, clusterBody(), "cluster_info", null, null, started);
                return;
            }
            // SEC-35: by source address and operation, before the signature is recovered; shed at once, never queue
            Admission.Decision admitted = admission.tryAdmit(exchange.getRemoteAddress().getAddress(), Admission.Op.of(request));
            if (admitted instanceof Admission.Refused refused) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(refused.retryAfterSeconds()));
                finish(exchange, allowOrigin, refused.status(), JSON, refused.status() == 429 ? TOO_MANY_REQUESTS : SERVER_BUSY,
                        operation(request) + " error=" + (refused.status() == 429 ? "rate-limited" : "shed") + " (" + refused.reason() + ")",
                        request instanceof ApiRequest.KeyRequest k ? k.keyId() : null, null, started);
                return;
            }
            tickets.put(exchange, ((Admission.Admitted) admitted).ticket());
            dispatch(exchange, allowOrigin, request, in.get(Authorization.HEADER), started);
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "request handling failed", e);
            releaseTicket(exchange);
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange, String allowOrigin, ApiRequest request, java.util.List<String> authorization,
                          long started) {
        String op = operation(request);
        H256 keyId = request instanceof ApiRequest.KeyRequest k ? k.keyId() : null;
        Requester requester;
        try {
            requester = request instanceof ApiRequest.KeyRequest k ? requester(k, authorization) : null;
        } catch (SecretStoreException e) {
            finish(exchange, allowOrigin, ErrorResponses.status(e.kind()), JSON, ErrorResponses.body(e), op + " error=" + e.kind(),
                    keyId, null, authorization == null ? "static" : "fresh", started);
            return;
        }
        if (requester != null && isGeneration(request) && !creators.mayCreate(requester.address())) {
            // SEC-35: key creation is an ACL decision too ([secretstore_ext] key_creators)
            respondError(exchange, allowOrigin, SecretStoreException.of(Kind.ACCESS_DENIED), op, keyId, requester, started);
            return;
        }
        if (requester != null) {
            Optional<String> refused = limits.tryAcquire(requester.address(), keyId);
            if (refused.isPresent()) {
                // SEC-23, SEC-28: 429 with Retry-After, body in the API's error format [ext]
                exchange.getResponseHeaders().set("Retry-After", "1");
                finish(exchange, allowOrigin, 429, JSON, TOO_MANY_REQUESTS, op + " error=rate-limited (" + refused.get() + ")",
                        keyId, requester, started);
                return;
            }
        }
        CompletionStage<byte[]> result;
        try {
            result = call(request, requester, exchange.getRequestHeaders());
        } catch (SecretStoreException e) {
            if (requester != null) limits.release(requester.address());
            respondError(exchange, allowOrigin, e, op, keyId, requester, started);
            return;
        }
        if (requester != null) result.whenComplete((v, e) -> limits.release(requester.address()));
        // Sessions complete on the node's cluster loop; the response is written on an HTTP thread so a
        // slow client can never stall the loop (SEC-28).
        result.whenCompleteAsync((bytes, error) -> {
            if (error == null) {
                finish(exchange, allowOrigin, 200, bytes == null ? null : JSON, bytes, op, keyId, requester, started);
            } else {
                respondError(exchange, allowOrigin, unwrap(error), op, keyId, requester, started);
            }
        }, executor);
    }

    /** Runs the endpoint; the stage yields the exact success body (null for an empty 200). */
    private CompletionStage<byte[]> call(ApiRequest request, Requester requester, Headers headers) {
        if (request instanceof ApiRequest.GenerateServerKey r) {
            return keyServer.generateServerKey(r.keyId(), requester, r.threshold()).thenApply(HttpApi::pointBody);
        } else if (request instanceof ApiRequest.StoreDocumentKey r) {
            return keyServer.storeDocumentKey(r.keyId(), requester, r.commonPoint(), r.encryptedPoint()).thenApply(v -> null);
        } else if (request instanceof ApiRequest.GenerateDocumentKey r) {
            return keyServer.generateDocumentKey(r.keyId(), requester, r.threshold()).thenApply(HttpApi::bytesBody);
        } else if (request instanceof ApiRequest.RetrieveServerKey r) {
            return keyServer.retrieveServerKey(r.keyId(), requester).thenApply(HttpApi::pointBody);
        } else if (request instanceof ApiRequest.RetrieveDocumentKey r) {
            return keyServer.retrieveDocumentKey(r.keyId(), requester).thenApply(HttpApi::bytesBody);
        } else if (request instanceof ApiRequest.RetrieveDocumentKeyShadows r) {
            ShadowExtension.Options o = strict ? ShadowExtension.Options.NONE : ShadowExtension.options(headers); // SEC-33, opt-in
            return keyServer.retrieveDocumentKeyShadows(r.keyId(), requester, o.excluded()).thenApply(s -> ShadowExtension.body(s, o));
        } else if (request instanceof ApiRequest.SchnorrSign r) {
            return keyServer.signSchnorr(r.keyId(), requester, r.messageHash()).thenApply(HttpApi::bytesBody);
        } else if (request instanceof ApiRequest.EcdsaSign r) {
            return keyServer.signEcdsa(r.keyId(), requester, r.messageHash()).thenApply(HttpApi::bytesBody);
        } else if (request instanceof ApiRequest.ServersSetChange r) {
            return keyServer.changeServersSet(r.oldSetSignature().toBytes(), r.newSetSignature().toBytes(),
                    r.newServersSet().stream().map(NodeId::new).collect(Collectors.toSet()),
                    authorizationHeader(headers.get(Authorization.HEADER)))
                    .thenApply(v -> null);
        } else if (request instanceof ApiRequest.RefreshShares r) {
            return keyServer.refreshShares(r.signature().toBytes(), r.keyIds(), authorizationHeader(headers.get(Authorization.HEADER)))
                    .thenApply(v -> null);
        }
        throw new IllegalStateException("unrouted request " + request.getClass().getSimpleName());
    }

    /**
     * The fresh authorization of a request (a requester's, docs/auth.md §1, or the administrator's, §7): its one
     * {@code Secretstore-Authorization} header, parsed (the members check it), or empty without one.
     */
    private static java.util.Optional<Authorization> authorizationHeader(java.util.List<String> authorization) {
        if (authorization == null) return java.util.Optional.empty();
        if (authorization.size() != 1) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad authorization: more than one " + Authorization.HEADER + " header");
        }
        try {
            return java.util.Optional.of(Authorization.parseHeader(authorization.get(0)));
        } catch (CryptoException e) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad authorization: " + e.getMessage());
        }
    }

    /** The requester as this node's {@link RequesterCheck} derives it (no nonce spent: the sessions' members claim it). */
    private Requester requester(ApiRequest.KeyRequest request, java.util.List<String> authorization) {
        return requesters.verify(credential(request, authorization), operationOf(request), request.keyId(), params(request));
    }

    /**
     * The request's credential: the fresh authorization of its one {@code Secretstore-Authorization} header (the path's
     * signature is then ignored), else the path's static signature over the raw key id (http-api.md §5).
     */
    private Credential credential(ApiRequest.KeyRequest request, java.util.List<String> authorization) {
        java.util.Optional<Authorization> fresh = authorizationHeader(authorization);
        if (fresh.isPresent()) return new Credential.Fresh(fresh.get());
        byte[] sig = request.signature().toBytes();
        int v = sig[64] & 0xff;
        if (strict && v > 3) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad signature: invalid recovery id");
        }
        try {
            return new Credential.Static(RecoverableSignature.fromBytes(sig));
        } catch (CryptoException e) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "bad signature: " + e.getMessage());
        }
    }

    /** The operation a key request asks for (its code is the endpoint number). */
    static Operation operationOf(ApiRequest.KeyRequest r) {
        if (r instanceof ApiRequest.GenerateServerKey) return Operation.GENERATE_SERVER_KEY;
        if (r instanceof ApiRequest.StoreDocumentKey) return Operation.STORE_DOCUMENT_KEY;
        if (r instanceof ApiRequest.GenerateDocumentKey) return Operation.GENERATE_DOCUMENT_KEY;
        if (r instanceof ApiRequest.RetrieveServerKey) return Operation.RETRIEVE_SERVER_KEY;
        if (r instanceof ApiRequest.RetrieveDocumentKey) return Operation.RETRIEVE_DOCUMENT_KEY;
        if (r instanceof ApiRequest.RetrieveDocumentKeyShadows) return Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS;
        if (r instanceof ApiRequest.SchnorrSign) return Operation.SIGN_SCHNORR;
        if (r instanceof ApiRequest.EcdsaSign) return Operation.SIGN_ECDSA;
        throw new IllegalStateException("unrouted request " + r.getClass().getSimpleName());
    }

    /** The parameter field a fresh authorization binds for this request (docs/auth.md §2); zero where none. */
    static H256 params(ApiRequest.KeyRequest r) {
        if (r instanceof ApiRequest.GenerateServerKey g) return Operation.thresholdParams(g.threshold());
        if (r instanceof ApiRequest.StoreDocumentKey s) return Operation.storeParams(s.commonPoint(), s.encryptedPoint());
        if (r instanceof ApiRequest.GenerateDocumentKey g) return Operation.thresholdParams(g.threshold());
        if (r instanceof ApiRequest.SchnorrSign g) return g.messageHash();
        if (r instanceof ApiRequest.EcdsaSign g) return g.messageHash();
        return Operation.NO_PARAMS;
    }

    /**
     * {@code GET /cluster} [ext]: {@code {"cluster_id":"0x…","legacy_requester_signatures":"…","max_lifetime":s,
     * "clock_skew":s,"time":unix s}}, the time read from the clock that judges expiries.
     */
    private byte[] clusterBody() {
        RequesterCheck.Settings s = requesters.settings();
        return ("{\"cluster_id\":\"0x" + s.clusterId().toHex() + "\",\"legacy_requester_signatures\":\"" + s.legacy().configName()
                + "\",\"max_lifetime\":" + s.maxLifetime().toSeconds() + ",\"clock_skew\":" + s.clockSkew().toSeconds()
                + ",\"time\":" + requesters.now() + "}").getBytes(StandardCharsets.US_ASCII);
    }

    private void preflight(HttpExchange exchange, String allowOrigin, String origin, long started) {
        if (allowOrigin == null) {
            // Same-origin or Origin: null in any-origin mode: nothing to grant, but answer the preflight.
            allowOrigin = origin;
        }
        Headers out = exchange.getResponseHeaders();
        out.set("Access-Control-Allow-Origin", allowOrigin);
        out.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        out.set("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept, " + Authorization.HEADER);
        out.set("Access-Control-Max-Age", "600");
        out.set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        finish(exchange, null, 204, null, null, "preflight", null, null, started);
    }

    private void respondError(HttpExchange exchange, String allowOrigin, SecretStoreException e, String op, H256 keyId,
                              Requester requester, long started) {
        finish(exchange, allowOrigin, ErrorResponses.status(e.kind()), JSON, ErrorResponses.body(e),
                op + " error=" + e.kind(), keyId, requester, started);
    }

    private static SecretStoreException unwrap(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (t instanceof SecretStoreException s) return s;
        LOG.log(Level.WARNING, "unexpected failure", t);
        return SecretStoreException.of(Kind.INTERNAL, "unexpected " + t.getClass().getSimpleName());
    }

    private void finish(HttpExchange exchange, String allowOrigin, int status, String contentType, byte[] body,
                        String outcome, H256 keyId, Requester requester, long started) {
        finish(exchange, allowOrigin, status, contentType, body, outcome, keyId, requester,
                requester == null ? null : credentialKind(requester.credential()), started);
    }

    private static String credentialKind(Credential c) {
        return c instanceof Credential.Fresh ? "fresh" : c instanceof Credential.Static ? "static" : null;
    }

    /** {@code credential}: the kind the request presented ({@code static}, {@code fresh}), null for none. */
    private void finish(HttpExchange exchange, String allowOrigin, int status, String contentType, byte[] body,
                        String outcome, H256 keyId, Requester requester, String credential, long started) {
        // SEC-29: the audit line is written before the response, so no answer leaves without its record.
        long nanos = System.nanoTime() - started;
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        AUDIT.info(() -> "op=" + outcome + " status=" + status
                + " key=" + (keyId == null ? "-" : keyId.toHex())
                + " requester=" + (requester == null ? "-" : requester.address().toHex())
                + " credential=" + (credential == null ? "-" : credential)
                + " duration_ms=" + ms);
        int space = outcome.indexOf(' ');
        observer.finished(space < 0 ? outcome : outcome.substring(0, space), status, nanos);
        releaseTicket(exchange);
        try (exchange) {
            Headers out = exchange.getResponseHeaders();
            if (allowOrigin != null) {
                out.set("Access-Control-Allow-Origin", allowOrigin);
                out.set("Vary", "Origin");
            }
            if (contentType != null) out.set("Content-Type", contentType);
            if (body == null || body.length == 0) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            }
        } catch (IOException e) {
            LOG.fine(() -> "client went away: " + e.getMessage());
        }
    }

    private void releaseTicket(HttpExchange exchange) {
        Admission.Ticket t = tickets.remove(exchange);
        if (t != null) t.release();
    }

    private static boolean isGeneration(ApiRequest r) {
        return r instanceof ApiRequest.GenerateServerKey || r instanceof ApiRequest.GenerateDocumentKey;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] data = in.readNBytes(RequestParser.MAX_BODY_BYTES + 1);
        in.close();
        return data;
    }

    private static String operation(ApiRequest r) {
        if (r instanceof ApiRequest.GenerateServerKey) return "generate_server_key";
        if (r instanceof ApiRequest.StoreDocumentKey) return "store_document_key";
        if (r instanceof ApiRequest.GenerateDocumentKey) return "generate_document_key";
        if (r instanceof ApiRequest.RetrieveServerKey) return "retrieve_server_key";
        if (r instanceof ApiRequest.RetrieveDocumentKey) return "retrieve_document_key";
        if (r instanceof ApiRequest.RetrieveDocumentKeyShadows) return "retrieve_shadows";
        if (r instanceof ApiRequest.SchnorrSign) return "schnorr_sign";
        if (r instanceof ApiRequest.EcdsaSign) return "ecdsa_sign";
        if (r instanceof ApiRequest.RefreshShares) return "refresh_shares";
        if (r instanceof ApiRequest.ClusterInfo) return "cluster_info";
        return "servers_set_change";
    }

    static byte[] pointBody(PublicPoint p) {
        return ("\"0x" + p.toHex() + "\"").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] bytesBody(byte[] b) {
        return ("\"0x" + Hex.encode(b) + "\"").getBytes(StandardCharsets.US_ASCII);
    }

    /** Endpoint 6's object with Parity's member order and no whitespace. */
    static byte[] shadowBody(KeyServer.ShadowRetrieval r) {
        String shadows = r.decryptShadows().stream().map(s -> "\"0x" + Hex.encode(s) + "\"").collect(Collectors.joining(","));
        return ("{\"decrypted_secret\":\"0x" + r.decryptedSecret().toHex() + "\",\"common_point\":\"0x" + r.commonPoint().toHex()
                + "\",\"decrypt_shadows\":[" + shadows + "]}").getBytes(StandardCharsets.US_ASCII);
    }
}
