package dev.secretstore.node.http;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.http.server.HttpHandler;
import dev.secretstore.http.server.HttpRequest;
import dev.secretstore.http.server.HttpResponse;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.node.audit.AuditTrail;
import dev.secretstore.node.audit.EdgeAudit;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * request thread waits on the cluster. A target that is not a path ({@code //}, {@code /%}, a bad percent escape,
 * {@code *}, an absolute URL) gets Parity's empty 400. Served by an {@link EdgeServer} named {@value #LISTENER} under
 * {@link ServerLimits} (SEC-34: deadlines, sizes, connection caps; docs/configuration.md) and optionally TLS.
 * One audit log line per request: operation, key id, requester
 * address, credential kind ({@code static} or {@code fresh}), outcome, status, duration; never a secret nor a
 * signature (SEC-07, SEC-29). A request no session recorded on this node (refused here, endpoint 4, an administrative
 * request) also gets its line in the node's audit file through {@link EdgeAudit}, before its answer leaves: an answer
 * whose line cannot be written is {@code 500 "Database error: …"} instead (fail closed).
 */
public final class HttpApi implements AutoCloseable, HttpHandler {
    private static final Logger AUDIT = Logger.getLogger("dev.secretstore.audit");
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    private static final String JSON = "application/json; charset=utf-8";
    private static final byte[] TOO_MANY_REQUESTS = ErrorResponses.body("Too many requests");
    /** SEC-35: the body of a 503 from {@link Admission} (this node is at capacity), in the API's error format [ext]. */
    static final byte[] SERVER_BUSY = ErrorResponses.body("Server busy");
    /** The cluster id of an {@code HttpApi} built without a {@link RequesterCheck}. */
    public static final H256 STANDALONE_CLUSTER = ClusterId.ofName("standalone");
    /** The listener's name in thread names, logs and metrics. */
    public static final String LISTENER = "http-api";
    /** Threads that build answers once sessions complete (audit line, observer, response): off the cluster loop. */
    private static final int FINISH_THREADS = 2;

    private final KeyServer keyServer;
    private final RequestParser parser;
    private final CorsPolicy cors;
    private final HostAllowList hosts;
    private final boolean strict;
    private final InetAddress bindAddress;
    private final ThreadPoolExecutor finisher;
    private final EdgeServer server;
    private final RequestLimits limits;
    private final Admission admission;
    private final KeyCreators creators;
    private final Observer observer;
    private final RequesterCheck requesters;
    private final EdgeAudit audit;

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

    /** With the default listener limits ({@link #defaultLimits()}) in plain HTTP. */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Admission admission, KeyCreators creators, Observer observer, RequesterCheck requesters)
            throws IOException {
        this(keyServer, bind, cors, hosts, strict, limits, admission, creators, observer, requesters, defaultLimits(), null);
    }

    /**
     * Binds {@code bind} and serves from then on.
     *
     * @param requesters   how a request's credential becomes its requester: the node's own check (the one its
     *                     {@code ClusterKeyServer} uses), whose settings {@code GET /cluster} also reports
     * @param serverLimits the listener's deadlines, sizes and connection caps (SEC-34); bodies above
     *                     {@link RequestParser#MAX_BODY_BYTES} are never accepted whatever it says
     * @param tls          the HTTPS material, or null for plain HTTP
     * @throws java.net.BindException naming the listener and the address when the port is taken
     */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Admission admission, KeyCreators creators, Observer observer, RequesterCheck requesters,
                   ServerLimits serverLimits, ReloadingTls tls) throws IOException {
        this(keyServer, bind, cors, hosts, strict, limits, admission, creators, observer, requesters, serverLimits, tls,
                EdgeAudit.NONE);
    }

    /**
     * As above, with the audit trail the lines of requests no session recorded go to ({@code audit}, SEC-29):
     * requests refused here, endpoint 4 and the administrative requests. The {@link KeyServer} records the others
     * and marks a failure it recorded ({@link SecretStoreException#isAudited()}).
     */
    public HttpApi(KeyServer keyServer, InetSocketAddress bind, CorsPolicy cors, HostAllowList hosts, boolean strict,
                   RequestLimits limits, Admission admission, KeyCreators creators, Observer observer, RequesterCheck requesters,
                   ServerLimits serverLimits, ReloadingTls tls, EdgeAudit audit) throws IOException {
        this.audit = java.util.Objects.requireNonNull(audit, "audit");
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
        this.bindAddress = bind.getAddress();
        this.finisher = new ThreadPoolExecutor(FINISH_THREADS, FINISH_THREADS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, LISTENER + "-finish");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardPolicy()); // only after close(), when nobody waits for an answer
        ServerLimits capped = serverLimits.maxBodyBytes() <= RequestParser.MAX_BODY_BYTES ? serverLimits
                : serverLimits.withSizes(serverLimits.maxHeaderBytes(), RequestParser.MAX_BODY_BYTES);
        try {
            this.server = EdgeServer.start(LISTENER, bind, capped, tls, this, ioThreads());
        } catch (IOException | RuntimeException e) {
            finisher.shutdownNow();
            throw e;
        }
    }

    /**
     * The largest request head by default: {@code Secretstore-Exclude-Nodes} (SEC-33) may name
     * {@link ShadowExtension#MAX_EXCLUDED} node ids of 131 characters each (about 33.5 KB), and a list one id too
     * long must still reach its own 400 rather than a 431.
     */
    public static final int DEFAULT_MAX_HEADER_BYTES = 48 * 1024;

    /** The HTTP API's limits when the configuration sets none (docs/configuration.md, "HTTP listeners"). */
    public static ServerLimits defaultLimits() {
        return ServerLimits.defaults(RequestParser.MAX_BODY_BYTES).withSizes(DEFAULT_MAX_HEADER_BYTES, RequestParser.MAX_BODY_BYTES);
    }

    private static int ioThreads() {
        return Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    /** Kept for callers written against the former listener: this one serves from construction. */
    public void start() {
        // nothing to do: EdgeServer.start bound and started the listener in the constructor
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.port();
    }

    /** The configured address (a wildcard stays the wildcard it was written as) with the port bound. */
    public InetSocketAddress address() {
        return new InetSocketAddress(bindAddress, server.port());
    }

    /** True when the listener serves HTTPS. */
    public boolean secure() {
        return server.secure();
    }

    /** The listener's connection counters (for metrics). */
    public EdgeServer.Stats stats() {
        return server.stats();
    }

    @Override
    public void close() {
        server.close();
        finisher.shutdownNow();
        try {
            finisher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One request's answer state: when it started, the CORS origin it echoes, its admission ticket until answered,
     * and what its audit line written here says (SEC-29).
     */
    private static final class Call {
        final long started = System.nanoTime();
        String allowOrigin;
        /** The operation for the audit line; null until the request was parsed. */
        String operation;
        /** True when this listener writes no audit line of its own: a session recorded it, or it is no key request. */
        boolean recordedElsewhere;
        /** The client's address, by which the edge's cheap refusals are counted in the audit file (SEC-29); null if unknown. */
        String source;
        final AtomicReference<Admission.Ticket> ticket = new AtomicReference<>();

        void release() {
            Admission.Ticket t = ticket.getAndSet(null);
            if (t != null) t.release();
        }
    }

    @Override
    public CompletionStage<HttpResponse> handle(HttpRequest exchange) {
        Call call = new Call();
        try {
            return route(exchange, call);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request handling failed", e);
            call.release();
            throw e;
        }
    }

    private CompletionStage<HttpResponse> route(HttpRequest exchange, Call call) {
        InetSocketAddress remote = exchange.remote();
        call.source = remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
        // the address the listener is bound to (a wildcard stays a wildcard), with the port it got
        InetSocketAddress bound = new InetSocketAddress(bindAddress, exchange.local().getPort());
        if (!hosts.admits(exchange.headerValues("Host"), exchange.protocol(), bound)) {
            // SEC-37: before CORS, parsing or any session; the body is read by nobody
            return done(finish(call, HostAllowList.REFUSED_STATUS, HostAllowList.REFUSED_CONTENT_TYPE,
                    HostAllowList.REFUSED_BODY, "host-refused", null, null));
        }
        String origin = exchange.header("Origin");
        CorsPolicy.Decision decision = cors.decide(origin, exchange.header("Host"));
        if (decision instanceof CorsPolicy.Decision.Rejected) {
            return done(finish(call, 404, null, null, "cors", null, null));
        }
        call.allowOrigin = decision instanceof CorsPolicy.Decision.Allowed a ? a.origin() : null;
        String method = exchange.method();
        if (!strict && method.equals("OPTIONS") && origin != null && exchange.header("Access-Control-Request-Method") != null) {
            return done(preflight(call, origin));
        }
        // Parity's empty 400 for every target that is not a path: "//", "/%", bad escapes (the parser), "*", absolute URLs
        RequestParser.Result parsed = exchange.target().startsWith("/")
                ? parser.parse(method, exchange.rawPath(), exchange.body())
                : new RequestParser.Result.Invalid("request target is not an absolute path");
        if (parsed instanceof RequestParser.Result.Invalid invalid) {
            LOG.fine(() -> "invalid request: " + invalid.reason());
            return done(finish(call, 400, null, null, "invalid", null, null));
        }
        ApiRequest request = ((RequestParser.Result.Ok) parsed).request();
        call.operation = auditOperation(request);
        if (request instanceof ApiRequest.ClusterInfo) {
            // public and constant-cost, like a preflight: before admission
            call.recordedElsewhere = true; // public and constant: no key, no credential, nothing to audit
            return done(finish(call, 200, JSON, clusterBody(), "cluster_info", null, null));
        }
        // SEC-35: by source address and operation, before the signature is recovered; shed at once, never queue
        Admission.Decision admitted = admission.tryAdmit(exchange.remote().getAddress(), Admission.Op.of(request));
        if (admitted instanceof Admission.Refused refused) {
            return done(finish(call, refused.status(), JSON, refused.status() == 429 ? TOO_MANY_REQUESTS : SERVER_BUSY,
                    operation(request) + " error=" + (refused.status() == 429 ? "rate-limited" : "shed") + " (" + refused.reason() + ")",
                    request instanceof ApiRequest.KeyRequest k ? k.keyId() : null, null)
                    .with("Retry-After", Long.toString(refused.retryAfterSeconds())));
        }
        call.ticket.set(((Admission.Admitted) admitted).ticket());
        return dispatch(exchange, call, request, exchange.headerValues(Authorization.HEADER));
    }

    private static CompletionStage<HttpResponse> done(HttpResponse response) {
        return java.util.concurrent.CompletableFuture.completedFuture(response);
    }

    private CompletionStage<HttpResponse> dispatch(HttpRequest exchange, Call call, ApiRequest request,
                                                   java.util.List<String> authorization) {
        String op = operation(request);
        H256 keyId = request instanceof ApiRequest.KeyRequest k ? k.keyId() : null;
        Requester requester;
        try {
            requester = request instanceof ApiRequest.KeyRequest k ? requester(k, authorization) : null;
        } catch (SecretStoreException e) {
            return done(finish(call, ErrorResponses.status(e.kind()), JSON, ErrorResponses.body(e), op + " error=" + e.kind(),
                    keyId, null, authorization == null ? "static" : "fresh"));
        }
        if (requester != null && isGeneration(request) && !creators.mayCreate(requester.address())) {
            // SEC-35: key creation is an ACL decision too ([secretstore_ext] key_creators)
            return done(respondError(call, SecretStoreException.of(Kind.ACCESS_DENIED), op, keyId, requester));
        }
        if (requester != null) {
            Optional<String> refused = limits.tryAcquire(requester.address(), keyId);
            if (refused.isPresent()) {
                // SEC-23, SEC-28: 429 with Retry-After, body in the API's error format [ext]
                return done(finish(call, 429, JSON, TOO_MANY_REQUESTS, op + " error=rate-limited (" + refused.get() + ")",
                        keyId, requester).with("Retry-After", "1"));
            }
        }
        CompletionStage<byte[]> result;
        try {
            result = call(request, requester, exchange);
        } catch (SecretStoreException e) {
            if (requester != null) limits.release(requester.address());
            return done(respondError(call, e, op, keyId, requester));
        }
        if (requester != null) result.whenComplete((v, e) -> limits.release(requester.address()));
        // Sessions complete on the node's cluster loop; the audit line, the observer and the response are made on
        // this listener's own threads so that neither a slow observer nor a slow client can stall the loop (SEC-28).
        return result.handleAsync((bytes, error) -> {
            SecretStoreException failure = error == null ? null : unwrap(error);
            // SEC-29: the key server's sessions recorded this request here, except endpoint 4 and the administrative ones
            call.recordedElsewhere = failure == null ? recordsSuccess(request) : failure.isAudited();
            return failure == null ? finish(call, 200, bytes == null ? null : JSON, bytes, op, keyId, requester)
                    : respondError(call, failure, op, keyId, requester);
        }, finisher);
    }

    /** Runs the endpoint; the stage yields the exact success body (null for an empty 200). */
    private CompletionStage<byte[]> call(ApiRequest request, Requester requester, HttpRequest headers) {
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
                    authorizationHeader(headers.headerValues(Authorization.HEADER)))
                    .thenApply(v -> null);
        } else if (request instanceof ApiRequest.RefreshShares r) {
            return keyServer.refreshShares(r.signature().toBytes(), r.keyIds(), authorizationHeader(headers.headerValues(Authorization.HEADER)))
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

    private HttpResponse preflight(Call call, String origin) {
        // Same-origin or Origin: null in any-origin mode: nothing to grant, but answer the preflight.
        String allowOrigin = call.allowOrigin == null ? origin : call.allowOrigin;
        call.allowOrigin = null;
        call.recordedElsewhere = true; // a browser's question about CORS, no request
        return finish(call, 204, null, null, "preflight", null, null)
                .with("Access-Control-Allow-Origin", allowOrigin)
                .with("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .with("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept, " + Authorization.HEADER)
                .with("Access-Control-Max-Age", "600")
                .with("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    }

    private HttpResponse respondError(Call call, SecretStoreException e, String op, H256 keyId, Requester requester) {
        return finish(call, ErrorResponses.status(e.kind()), JSON, ErrorResponses.body(e), op + " error=" + e.kind(), keyId, requester);
    }

    private static SecretStoreException unwrap(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (t instanceof SecretStoreException s) return s;
        LOG.log(Level.WARNING, "unexpected failure", t);
        return SecretStoreException.of(Kind.INTERNAL, "unexpected " + t.getClass().getSimpleName());
    }

    private HttpResponse finish(Call call, int status, String contentType, byte[] body, String outcome, H256 keyId,
                                Requester requester) {
        return finish(call, status, contentType, body, outcome, keyId, requester,
                requester == null ? null : credentialKind(requester.credential()));
    }

    private static String credentialKind(Credential c) {
        return c instanceof Credential.Fresh ? "fresh" : c instanceof Credential.Static ? "static" : null;
    }

    /**
     * The answer to a request, after its audit line and its observer call (SEC-29: no answer leaves without its
     * record), with the admission ticket given back. {@code credential}: the kind the request presented
     * ({@code static}, {@code fresh}), null for none. An empty body goes without Content-Type unless one is given.
     */
    private HttpResponse finish(Call call, int status, String contentType, byte[] body, String outcome, H256 keyId,
                                Requester requester, String credential) {
        if (!call.recordedElsewhere) {
            try {
                audit.recordAlone(new AuditTrail.Alone(call.operation, keyId, requester == null ? null : requester.address(), credential,
                        "entry", auditOutcome(status, outcome), status, call.source));
            } catch (SecretStoreException e) {
                // SEC-29, fail closed: no result nor refusal leaves without its line; the same answer as a session's
                String refused = outcome;
                LOG.warning(() -> "no audit line for a request (" + refused + "): " + e.displayText());
                status = ErrorResponses.status(e.kind());
                contentType = JSON;
                body = ErrorResponses.body(e);
                outcome = outcome + " error=" + e.kind();
            }
        }
        return answer(call, status, contentType, body, outcome, keyId, requester, credential);
    }

    /** Whether the key server's sessions record a success of {@code r} on this node (SEC-29): all but 4, 9 and refresh. */
    private static boolean recordsSuccess(ApiRequest r) {
        return r instanceof ApiRequest.KeyRequest && !(r instanceof ApiRequest.RetrieveServerKey);
    }

    /** The audit line's outcome: {@code ok} for a success, else the error kind or the refusal the log outcome names. */
    private static String auditOutcome(int status, String outcome) {
        if (status < 300) return "ok";
        int error = outcome.indexOf("error=");
        String what = error < 0 ? outcome : outcome.substring(error + "error=".length());
        int space = what.indexOf(' ');
        return space < 0 ? what : what.substring(0, space);
    }

    /** The audit line's operation: the endpoint's operation name ({@code sign_schnorr}), or the administrative request's. */
    private static String auditOperation(ApiRequest r) {
        if (r instanceof ApiRequest.KeyRequest k) return operationOf(k).name().toLowerCase(java.util.Locale.ROOT);
        return operation(r);
    }

    private HttpResponse answer(Call call, int status, String contentType, byte[] body, String outcome, H256 keyId,
                                Requester requester, String credential) {
        long nanos = System.nanoTime() - call.started;
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        AUDIT.info(() -> "op=" + outcome + " status=" + status
                + " key=" + (keyId == null ? "-" : keyId.toHex())
                + " requester=" + (requester == null ? "-" : requester.address().toHex())
                + " credential=" + (credential == null ? "-" : credential)
                + " duration_ms=" + ms);
        int space = outcome.indexOf(' ');
        observer.finished(space < 0 ? outcome : outcome.substring(0, space), status, nanos);
        call.release();
        HttpResponse response = HttpResponse.of(status, contentType, body);
        if (call.allowOrigin != null) {
            response = response.with("Access-Control-Allow-Origin", call.allowOrigin).with("Vary", "Origin");
        }
        return response;
    }

    private static boolean isGeneration(ApiRequest r) {
        return r instanceof ApiRequest.GenerateServerKey || r instanceof ApiRequest.GenerateDocumentKey;
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
