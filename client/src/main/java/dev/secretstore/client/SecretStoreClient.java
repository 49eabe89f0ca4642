package dev.secretstore.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * A Secret Store client: publish ({@link #encryptDocument}) and consume ({@link #decryptDocument})
 * documents in Parity's format, plus the HTTP API steps they are made of. All cryptography runs here
 * (the document key is drawn locally and only its encryption to the server key is stored; documents
 * are decrypted from shadows, so no key server ever sees the document key). Requests go to the first
 * configured key server; on a transport failure (connection refused, timeout) the next one is tried.
 * Errors are {@link SecretStoreException}s carrying the HTTP status and Parity's message.
 */
public final class SecretStoreClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RNG = new SecureRandom();
    /** SEC-33: asks endpoint 6 for each shadow's member and proved point (docs/client.md, "Checked shadows"). */
    static final String SHADOW_CHECK_HEADER = "Secretstore-Shadow-Check";
    /** SEC-33: endpoint 6 without these members in the decryption group. */
    static final String EXCLUDE_NODES_HEADER = "Secretstore-Exclude-Nodes";
    /** Shadow retrievals per document key: the first, and retries without the key servers caught so far (SEC-33). */
    public static final int MAX_SHADOW_ATTEMPTS = 3;

    private final List<URI> servers;
    private final Credentials credentials;
    private final HttpClient http;
    private final Duration timeout;
    private final AuthorizationMode mode;
    private final H256 configuredClusterId;
    private final long lifetimeSeconds;
    private final LongSupplier clock;
    /** What {@code GET /cluster} told us (or that the key servers do not offer it); null until first needed. */
    private volatile Target target;

    /** How requests are authorized (docs/auth.md §6). */
    public enum AuthorizationMode {
        /**
         * The default: a fresh authorization ({@code Secretstore-Authorization} header) for every request when the key
         * server offers {@code GET /cluster}; Parity's static signature over the key id when it answers 400 or 404
         * (a Parity node, or a key server from before fresh authorizations).
         */
        AUTO,
        /** Fresh authorizations only: a key server without {@code GET /cluster} is an error, never a reason to fall back. */
        FRESH_ONLY,
        /** Parity's static signature over the key id for every request, no discovery. */
        LEGACY
    }

    /** The cluster a fresh authorization is made for, and the node clock's offset from ours; {@code clusterId == null}: legacy. */
    private record Target(H256 clusterId, long clockOffsetSeconds, long lifetimeSeconds) {}

    private SecretStoreClient(Builder b) {
        if (b.urls.isEmpty()) throw new IllegalArgumentException("at least one key server URL is required");
        List<URI> uris = new ArrayList<>();
        for (String u : b.urls) uris.add(URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u));
        this.servers = List.copyOf(uris);
        this.credentials = Objects.requireNonNull(b.credentials, "credentials");
        this.timeout = b.timeout;
        this.mode = b.mode;
        this.configuredClusterId = b.clusterId;
        this.lifetimeSeconds = b.lifetime.toSeconds();
        this.clock = b.clock;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (b.trusted != null) http.sslContext(b.trusted);
        this.http = http.build(); // one client for GET /cluster and every request
    }

    /** A client for the key servers at {@code urls} (e.g. {@code http://127.0.0.1:8082}), tried in order. */
    public static SecretStoreClient create(List<String> urls, Credentials credentials) {
        return builder(urls, credentials).build();
    }

    /** As {@link #create(List, Credentials)} with a per-request timeout. */
    public static SecretStoreClient create(List<String> urls, Credentials credentials, Duration timeout) {
        return builder(urls, credentials).timeout(timeout).build();
    }

    /** A builder with the defaults of {@link #create(List, Credentials)}: 60 s timeout, {@link AuthorizationMode#AUTO}, 60 s lifetime. */
    public static Builder builder(List<String> urls, Credentials credentials) {
        return new Builder(urls, credentials);
    }

    /** Options of a {@link SecretStoreClient}. */
    public static final class Builder {
        private final List<String> urls;
        private final Credentials credentials;
        private Duration timeout = Duration.ofSeconds(60);
        private AuthorizationMode mode = AuthorizationMode.AUTO;
        private H256 clusterId;
        private Duration lifetime = Duration.ofSeconds(60);
        private LongSupplier clock = () -> System.currentTimeMillis() / 1000;
        private javax.net.ssl.SSLContext trusted;

        private Builder(List<String> urls, Credentials credentials) {
            this.urls = List.copyOf(urls);
            this.credentials = credentials;
        }

        /** Per-request timeout (default 60 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How requests are authorized (default {@link AuthorizationMode#AUTO}). */
        public Builder authorization(AuthorizationMode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        /**
         * The cluster's identity (docs/auth.md §3), e.g. from the operator: fresh authorizations are made for it without
         * asking {@code GET /cluster} (and without correcting the local clock). Ignored in {@link AuthorizationMode#LEGACY}.
         */
        public Builder clusterId(H256 clusterId) {
            this.clusterId = Objects.requireNonNull(clusterId);
            return this;
        }

        /** How long each fresh authorization is valid (default 60 s; capped by the cluster's {@code max_lifetime}). */
        public Builder authorizationLifetime(Duration lifetime) {
            if (lifetime.toSeconds() < 1) throw new IllegalArgumentException("the authorization lifetime must be at least 1 s");
            this.lifetime = lifetime;
            return this;
        }

        /**
         * Trust exactly the certificates in {@code pemFile} (one or more PEM certificates, e.g. the {@code tls/ca.pem} of
         * {@code init-cluster --tls}) for HTTPS to the key servers, instead of the JVM's default trust store. Read now.
         *
         * @throws java.io.UncheckedIOException naming the file when it cannot be read
         * @throws IllegalArgumentException     naming the file when it holds no certificate
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trusted = TrustedCertificates.sslContext(pemFile);
            return this;
        }

        /** The local wall clock in unix seconds (tests). */
        Builder clock(LongSupplier epochSeconds) {
            this.clock = Objects.requireNonNull(epochSeconds);
            return this;
        }

        public SecretStoreClient build() {
            return new SecretStoreClient(this);
        }
    }

    public Credentials credentials() {
        return credentials;
    }

    // ------------------------------------------------------------------ documents

    /**
     * Publishes a document: generates a server key with threshold {@code t} under {@code keyId},
     * draws a document key locally, stores its encryption, and returns the encrypted document in
     * Parity's format ({@code "0x"} + lower-case hex of ciphertext ‖ 16-byte IV), the form Ocean's
     * clients produce and consume.
     *
     * @throws SecretStoreException.AlreadyExists if {@code keyId} was published before (or a failed
     *         publish left its server key behind): key ids cannot be reused, choose a new one
     */
    public String encryptDocument(String keyId, byte[] document, int threshold) {
        H256 id = keyId(keyId);
        PublicPoint serverKey;
        try {
            serverKey = generateServerKey(id, threshold);
        } catch (SecretStoreException.AlreadyExists e) {
            throw new SecretStoreException.AlreadyExists("key id " + id.toHex() + " is already published (its server key exists; "
                    + "a key id cannot be re-published, use a new one)", e.status(), e.parityMessage());
        }
        DocumentKey.Generated generated = DocumentKey.generate(serverKey, RNG);
        byte[] encrypted = DocumentCipher.encrypt(generated.documentKey(), document);
        try {
            storeDocumentKey(id, generated.encrypted());
        } catch (SecretStoreException e) {
            throw new SecretStoreException("key id " + id.toHex() + ": the server key was generated but storing the document key failed ("
                    + e.getMessage() + "); this key id cannot be re-published", e.status(), e.parityMessage(), e);
        }
        return Hex.encodePrefixed(encrypted);
    }

    /** {@link #encryptDocument(String, byte[], int)} of the UTF-8 bytes of {@code document}. */
    public String encryptDocument(String keyId, String document, int threshold) {
        return encryptDocument(keyId, document.getBytes(StandardCharsets.UTF_8), threshold);
    }

    /**
     * Consumes a document: retrieves the document key shadows (the key servers check this requester
     * against the ACL), checks and combines them locally ({@link #retrieveDocumentKeyFromShadows}) and
     * decrypts {@code encrypted} (hex of ciphertext ‖ IV, {@code 0x} optional, either case).
     *
     * @throws SecretStoreException.WrongDecryptShadow if key servers sent wrong shadows and no retry without them succeeded
     */
    public byte[] decryptDocument(String keyId, String encrypted) {
        H256 id = keyId(keyId);
        byte[] data;
        try {
            data = Hex.decodeLenient(encrypted.trim());
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidInput("the encrypted document is not hex", -1, null, e);
        }
        if (data.length < 16) {
            throw new SecretStoreException.InvalidInput("the encrypted document is shorter than its 16-byte IV", -1, null, null);
        }
        PublicPoint m = retrieveDocumentKeyFromShadows(id);
        return DocumentCipher.decrypt(m, data);
    }

    /** {@link #decryptDocument} decoded as UTF-8. */
    public String decryptDocumentToString(String keyId, String encrypted) {
        return new String(decryptDocument(keyId, encrypted), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ HTTP API steps

    /** Endpoint 1: {@code POST /shadow/{id}/{sig}/{t}}; returns the server key. */
    public PublicPoint generateServerKey(H256 keyId, int threshold) {
        if (threshold < 0) throw new SecretStoreException.InvalidInput("threshold must be ≥ 0", -1, null, null);
        JsonNode body = authorized("POST", Operation.GENERATE_SERVER_KEY, keyId, Operation.thresholdParams(threshold),
                sig -> "/shadow/" + keyId.toHex() + "/" + sig + "/" + threshold);
        return point(body);
    }

    /** Endpoint 2: {@code POST /shadow/{id}/{sig}/{common_point}/{encrypted_point}}. */
    public void storeDocumentKey(H256 keyId, EncryptedDocumentKey key) {
        authorized("POST", Operation.STORE_DOCUMENT_KEY, keyId, Operation.storeParams(key.commonPoint(), key.encryptedPoint()),
                sig -> "/shadow/" + keyId.toHex() + "/" + sig + "/" + Hex.encode(key.commonPoint().toBytes()) + "/"
                        + Hex.encode(key.encryptedPoint().toBytes()));
    }

    /**
     * The document key {@code M} from shadows, checked (SEC-33): endpoint 6 with the check data, every shadow checked
     * against the point its key server proved ({@link #documentKeyFromShadows}); when some do not match, the request
     * is repeated without those key servers, at most {@link #MAX_SHADOW_ATTEMPTS} requests in all. From a key server
     * that sends no check data (a Parity node) the shadows are combined unchecked, as before.
     *
     * @throws SecretStoreException.WrongDecryptShadow naming every key server caught, when no attempt gave checked
     *         shadows (e.g. fewer than {@code t+1} key servers remain without them: the cause is the 403)
     */
    public PublicPoint retrieveDocumentKeyFromShadows(H256 keyId) {
        Set<PublicPoint> caught = new LinkedHashSet<>();
        for (int attempt = 1; ; attempt++) {
            ShadowResponse response;
            try {
                response = retrieveShadows(keyId, caught);
            } catch (SecretStoreException e) {
                if (caught.isEmpty()) throw e;
                throw new SecretStoreException.WrongDecryptShadow(wrongShadows(keyId, caught) + "; without them: " + e.getMessage(),
                        List.copyOf(caught), e);
            }
            try {
                return documentKeyFromShadows(response);
            } catch (SecretStoreException.WrongDecryptShadow e) {
                caught.addAll(e.culprits());
                if (attempt >= MAX_SHADOW_ATTEMPTS) {
                    throw new SecretStoreException.WrongDecryptShadow(wrongShadows(keyId, caught) + " in " + attempt + " attempts",
                            List.copyOf(caught), null);
                }
            }
        }
    }

    private static String wrongShadows(H256 keyId, Set<PublicPoint> caught) {
        return "wrong decrypt shadows of key " + keyId.toHex() + " from key servers "
                + caught.stream().map(p -> "0x" + p.toHex()).collect(Collectors.joining(", "));
    }

    /** Endpoint 6: {@code GET /shadow/{id}/{sig}}, asking for the check data (SEC-33). */
    public ShadowResponse retrieveShadows(H256 keyId) {
        return retrieveShadows(keyId, Set.of());
    }

    /**
     * Endpoint 6 asking for the check data, without the key servers {@code excluded} (node ids) in the decryption
     * group (SEC-33; a key server that does not know the headers ignores them).
     */
    public ShadowResponse retrieveShadows(H256 keyId, Set<PublicPoint> excluded) {
        List<String> headers = new ArrayList<>(List.of(SHADOW_CHECK_HEADER, "1"));
        if (!excluded.isEmpty()) {
            headers.add(EXCLUDE_NODES_HEADER);
            headers.add(excluded.stream().map(p -> "0x" + p.toHex()).collect(Collectors.joining(",")));
        }
        JsonNode body = authorized("GET", Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, keyId, Operation.NO_PARAMS,
                sig -> "/shadow/" + keyId.toHex() + "/" + sig, headers.toArray(String[]::new));
        try {
            List<byte[]> shadows = new ArrayList<>();
            for (JsonNode s : body.get("decrypt_shadows")) shadows.add(Hex.decodeLenient(s.asText()));
            return new ShadowResponse(PublicPoint.fromHex(body.get("decrypted_secret").asText()),
                    PublicPoint.fromHex(body.get("common_point").asText()), shadows, checks(body));
        } catch (RuntimeException e) {
            throw new SecretStoreException("unexpected shadow retrieval response", 200, null, e);
        }
    }

    /** The check data of an endpoint 6 body: both lists or neither (then empty). */
    private static List<ShadowResponse.Check> checks(JsonNode body) {
        JsonNode nodes = body.get("decrypt_shadow_nodes");
        JsonNode points = body.get("decrypt_shadow_points");
        if (nodes == null && points == null) return List.of();
        if (nodes == null || points == null || !nodes.isArray() || !points.isArray() || nodes.size() != points.size()) {
            throw new IllegalArgumentException("check data without one node and one point per shadow");
        }
        List<ShadowResponse.Check> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(new ShadowResponse.Check(PublicPoint.fromHex(nodes.get(i).asText()), PublicPoint.fromHex(points.get(i).asText())));
        }
        return out;
    }

    /**
     * Combines a shadow retrieval response into the document key {@code M} (locally, with this requester's key). With
     * check data (SEC-33), every decrypted shadow {@code d_i} must satisfy {@code d_i·G == W_i} for the point its key
     * server proved; otherwise, or if a shadow does not decrypt, no key is returned.
     *
     * @throws SecretStoreException.WrongDecryptShadow naming the key servers whose shadows failed the check
     */
    public PublicPoint documentKeyFromShadows(ShadowResponse response) {
        List<SecretScalar> ds = new ArrayList<>();
        List<PublicPoint> culprits = new ArrayList<>();
        try {
            for (int i = 0; i < response.decryptShadows().size(); i++) {
                byte[] blob = response.decryptShadows().get(i);
                if (response.checks().isEmpty()) {
                    ds.add(credentials.decryptScalar(blob)); // a server without check data: as before
                    continue;
                }
                ShadowResponse.Check check = response.checks().get(i);
                SecretScalar d;
                try {
                    d = credentials.decryptScalar(blob);
                } catch (CryptoException e) {
                    culprits.add(check.node());
                    continue;
                }
                ds.add(d);
                if (!d.mulG().equals(check.proved())) culprits.add(check.node());
            }
            if (!culprits.isEmpty()) {
                throw new SecretStoreException.WrongDecryptShadow("decrypt shadows that do not match what their key servers proved: "
                        + culprits.stream().map(p -> "0x" + p.toHex()).collect(Collectors.joining(", ")), culprits, null);
            }
            return Decryption.clientCombine(response.decryptedSecret(), response.commonPoint(), ds);
        } catch (CryptoException e) {
            throw new SecretStoreException("the decrypt shadows do not decrypt with this requester's key", 200, null, e);
        } finally {
            ds.forEach(SecretScalar::destroy);
        }
    }

    /**
     * Endpoint 5: {@code GET /{id}/{sig}}; returns the document key {@code M}. Note that the master
     * key server reconstructs {@code M} for this call; {@link #retrieveShadows} avoids that.
     */
    public PublicPoint retrieveDocumentKey(H256 keyId) {
        JsonNode body = authorized("GET", Operation.RETRIEVE_DOCUMENT_KEY, keyId, Operation.NO_PARAMS, sig -> "/" + keyId.toHex() + "/" + sig);
        byte[] m = null;
        try {
            m = credentials.decrypt(Hex.decodeLenient(body.asText()));
            return PublicPoint.fromBytes(m);
        } catch (CryptoException e) {
            throw new SecretStoreException("the document key does not decrypt with this requester's key", 200, null, e);
        } finally {
            if (m != null) Arrays.fill(m, (byte) 0);
        }
    }

    /** Endpoint 4: {@code GET /server/{id}/{sig}}; returns the server key (only its author may ask). */
    public PublicPoint retrieveServerKey(H256 keyId) {
        return point(authorized("GET", Operation.RETRIEVE_SERVER_KEY, keyId, Operation.NO_PARAMS,
                sig -> "/server/" + keyId.toHex() + "/" + sig));
    }

    // ------------------------------------------------------------------ signing

    /**
     * Endpoint 7: the key servers sign {@code messageHash} with the server key {@code keyId} (Parity's
     * Schnorr, {@code c ‖ s}); the result is decrypted locally and verified under the server key, which
     * is first retrieved with endpoint 4 (author only; otherwise pass it to
     * {@link #signSchnorr(H256, H256, PublicPoint)}).
     *
     * @throws SecretStoreException.InvalidServerSignature if the returned signature does not verify
     */
    public SchnorrSignature signSchnorr(H256 keyId, H256 messageHash) {
        return signSchnorr(keyId, messageHash, retrieveServerKey(keyId));
    }

    /** Endpoint 7 with the expected server key: the signature is returned only if it verifies under {@code serverKey}. */
    public SchnorrSignature signSchnorr(H256 keyId, H256 messageHash, PublicPoint serverKey) {
        Objects.requireNonNull(serverKey, "serverKey");
        byte[] plain = signed("schnorr", keyId, messageHash);
        SchnorrSignature sig;
        try {
            sig = SchnorrSignature.fromBytes(plain);
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidServerSignature("the Schnorr signature is malformed: " + e.getMessage(), e);
        }
        if (!Schnorr.verify(serverKey, messageHash, sig)) {
            throw new SecretStoreException.InvalidServerSignature("the Schnorr signature of " + messageHash.toHex()
                    + " does not verify under the server key of " + keyId.toHex(), null);
        }
        return sig;
    }

    /**
     * Endpoint 8: the key servers sign {@code messageHash} with the server key {@code keyId} (ECDSA,
     * {@code r ‖ s ‖ v}); the result is decrypted locally and must recover to the server key, which is
     * first retrieved with endpoint 4 (author only; otherwise pass it to
     * {@link #signEcdsa(H256, H256, PublicPoint)}).
     *
     * @throws SecretStoreException.InvalidServerSignature if the returned signature does not recover to the server key
     */
    public RecoverableSignature signEcdsa(H256 keyId, H256 messageHash) {
        return signEcdsa(keyId, messageHash, retrieveServerKey(keyId));
    }

    /** Endpoint 8 with the expected server key: the signature is returned only if it recovers to {@code serverKey}. */
    public RecoverableSignature signEcdsa(H256 keyId, H256 messageHash, PublicPoint serverKey) {
        Objects.requireNonNull(serverKey, "serverKey");
        byte[] plain = signed("ecdsa", keyId, messageHash);
        RecoverableSignature sig;
        try {
            sig = RecoverableSignature.fromBytes(plain);
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidServerSignature("the ECDSA signature is malformed: " + e.getMessage(), e);
        }
        if (!Ecdsa.verify(serverKey, sig, messageHash)) {
            throw new SecretStoreException.InvalidServerSignature("the ECDSA signature of " + messageHash.toHex()
                    + " does not recover to the server key of " + keyId.toHex(), null);
        }
        return sig;
    }

    /** GET /{kind}/{id}/{sig}/{hash} and the ECIES-decrypted answer. */
    private byte[] signed(String kind, H256 keyId, H256 messageHash) {
        Operation op = kind.equals("schnorr") ? Operation.SIGN_SCHNORR : Operation.SIGN_ECDSA;
        JsonNode body = authorized("GET", op, keyId, messageHash, sig -> "/" + kind + "/" + keyId.toHex() + "/" + sig + "/" + messageHash.toHex());
        byte[] blob;
        try {
            blob = Hex.decodeLenient(body.asText());
        } catch (RuntimeException e) {
            throw new SecretStoreException("unexpected " + kind + " signing response", 200, null, e);
        }
        try {
            return credentials.decrypt(blob);
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidServerSignature("the " + kind + " signature does not decrypt with this requester's key", e);
        }
    }

    // ------------------------------------------------------------------ transport

    static H256 keyId(String keyId) {
        try {
            return H256.fromBytes(Hex.decode(Hex.strip0x(keyId.trim()), 32));
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidInput("a key id is 64 hex digits", -1, null, e);
        }
    }

    private static PublicPoint point(JsonNode body) {
        try {
            return PublicPoint.fromHex(body.asText());
        } catch (RuntimeException e) {
            throw new SecretStoreException("unexpected key server response", 200, null, e);
        }
    }

    /**
     * Sends {@code operation} on {@code keyId} to each server in turn until one answers, authorized as the
     * {@link AuthorizationMode} and the cluster's answer to {@code GET /cluster} say (docs/auth.md §6): with a fresh
     * authorization (a new one per attempt: an attempt that timed out may have spent its nonce) in the
     * {@code Secretstore-Authorization} header and its signature in the path's signature segment, or with Parity's
     * static signature over the key id there. Maps non-200 answers to typed errors. {@code headers}: further request
     * headers, name, value, …
     */
    private JsonNode authorized(String method, Operation operation, H256 keyId, H256 params, Function<String, String> pathWithSignature,
                                String... headers) {
        Target t = target();
        IOException last = null;
        for (URI server : servers) {
            HttpRequest.Builder req = HttpRequest.newBuilder().timeout(timeout).method(method, HttpRequest.BodyPublishers.noBody());
            if (headers.length > 0) req.headers(headers);
            if (t.clusterId() == null) {
                req.uri(URI.create(server + pathWithSignature.apply(credentials.signKeyId(keyId))));
            } else {
                byte[] nonce = new byte[Authorization.NONCE_LENGTH];
                RNG.nextBytes(nonce);
                long expires = clock.getAsLong() + t.clockOffsetSeconds() + t.lifetimeSeconds();
                Authorization a = credentials.authorize(t.clusterId(), operation, keyId, params, expires, nonce);
                req.uri(URI.create(server + pathWithSignature.apply(Hex.encode(a.signature().toBytes()))))
                        .header(Authorization.HEADER, a.toHeader());
            }
            try {
                return answer(server, send(req.build()));
            } catch (IOException e) {
                last = e;
            }
        }
        throw unreachable(last);
    }

    /**
     * The cluster to authorize for: none in {@link AuthorizationMode#LEGACY}; the configured cluster id; else what the
     * first reachable key server answers to {@code GET /cluster}, remembered for this client's lifetime.
     */
    private Target target() {
        if (mode == AuthorizationMode.LEGACY) return new Target(null, 0, 0);
        if (configuredClusterId != null) return new Target(configuredClusterId, 0, lifetimeSeconds);
        Target t = target;
        if (t == null) {
            t = discover();
            target = t;
        }
        return t;
    }

    /**
     * {@code GET /cluster}: 200 with {@code cluster_id} (and optionally {@code time}, {@code max_lifetime}) means fresh
     * authorizations for that cluster, with expiries in the node's clock (our clock plus the difference seen now) and a
     * lifetime no longer than the node accepts; 400 or 404 (Parity, or a key server from before fresh authorizations)
     * means Parity's static signatures, unless {@link AuthorizationMode#FRESH_ONLY}; anything else is an error.
     */
    private Target discover() {
        IOException last = null;
        for (URI server : servers) {
            Optional<ClusterInfo> info;
            try {
                info = ClusterInfo.fetch(http, server, timeout, clock.getAsLong());
            } catch (IOException e) {
                last = e;
                continue;
            }
            if (info.isEmpty()) {
                if (mode == AuthorizationMode.FRESH_ONLY) {
                    throw new SecretStoreException.FreshAuthorizationUnavailable(server + " has no GET /cluster: it does not accept fresh"
                            + " authorizations, and this client does not fall back to Parity's static signature (AuthorizationMode.FRESH_ONLY)",
                            400);
                }
                return new Target(null, 0, 0);
            }
            ClusterInfo c = info.get();
            long lifetime = c.maxLifetime().isPresent() ? Math.max(1, Math.min(lifetimeSeconds, c.maxLifetime().getAsLong())) : lifetimeSeconds;
            return new Target(c.clusterId(), c.clockOffset(), lifetime);
        }
        throw unreachable(last);
    }

    private HttpResponse<String> send(HttpRequest req) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretStoreException.TransportFailure("interrupted", e);
        }
    }

    private SecretStoreException unreachable(IOException last) {
        return new SecretStoreException.TransportFailure("no key server reachable (" + servers + "): "
                + (last == null ? "" : last.getClass().getSimpleName() + " " + Objects.toString(last.getMessage(), "")), last);
    }

    private static JsonNode answer(URI server, HttpResponse<String> resp) {
        int status = resp.statusCode();
        String body = resp.body();
        if (status == 200) {
            try {
                return body == null || body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new SecretStoreException("unparsable key server response", status, null, e);
            }
        }
        String text = parityText(body);
        String msg = server + " answered " + status + (text == null ? "" : " " + text);
        if (status == 403) {
            if (text != null && text.startsWith("Fresh authorization required")) {
                throw new SecretStoreException.FreshAuthorizationRequired(msg, status, text);
            }
            if (text != null && text.startsWith("Consensus")) throw new SecretStoreException.ConsensusUnreachable(msg, status, text);
            throw new SecretStoreException.AccessDenied(msg, status, text);
        }
        if (status == 404) throw new SecretStoreException.NotFound(msg, status, text);
        if (status == 400 && text != null && text.contains("already")) throw new SecretStoreException.AlreadyExists(msg, status, text);
        if (status == 400) throw new SecretStoreException.InvalidInput(msg, status, text, null);
        throw new SecretStoreException(msg, status, text, null);
    }

    /** Parity's error body is a JSON string holding the text in quotes: {@code "\"Access denied\""}. */
    static String parityText(String body) {
        if (body == null || body.isEmpty()) return null;
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isTextual()) return null;
            String t = n.asText();
            return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
        } catch (IOException e) {
            return null;
        }
    }
}
