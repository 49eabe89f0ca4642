package dev.secretstore.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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

    private SecretStoreClient(List<URI> servers, Credentials credentials, Duration timeout) {
        if (servers.isEmpty()) throw new IllegalArgumentException("at least one key server URL is required");
        this.servers = List.copyOf(servers);
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A client for the key servers at {@code urls} (e.g. {@code http://127.0.0.1:8082}), tried in order. */
    public static SecretStoreClient create(List<String> urls, Credentials credentials) {
        return create(urls, credentials, Duration.ofSeconds(60));
    }

    /** As {@link #create(List, Credentials)} with a per-request timeout. */
    public static SecretStoreClient create(List<String> urls, Credentials credentials, Duration timeout) {
        List<URI> uris = new ArrayList<>();
        for (String u : urls) uris.add(URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u));
        return new SecretStoreClient(uris, credentials, timeout);
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
        JsonNode body = request("POST", "/shadow/" + keyId.toHex() + "/" + credentials.signKeyId(keyId) + "/" + threshold);
        return point(body);
    }

    /** Endpoint 2: {@code POST /shadow/{id}/{sig}/{common_point}/{encrypted_point}}. */
    public void storeDocumentKey(H256 keyId, EncryptedDocumentKey key) {
        request("POST", "/shadow/" + keyId.toHex() + "/" + credentials.signKeyId(keyId) + "/"
                + Hex.encode(key.commonPoint().toBytes()) + "/" + Hex.encode(key.encryptedPoint().toBytes()));
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
        JsonNode body = request("GET", "/shadow/" + keyId.toHex() + "/" + credentials.signKeyId(keyId), headers.toArray(String[]::new));
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
        JsonNode body = request("GET", "/" + keyId.toHex() + "/" + credentials.signKeyId(keyId));
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
        return point(request("GET", "/server/" + keyId.toHex() + "/" + credentials.signKeyId(keyId)));
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
        JsonNode body = request("GET", "/" + kind + "/" + keyId.toHex() + "/" + credentials.signKeyId(keyId) + "/" + messageHash.toHex());
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

    /** Sends to each server in turn until one answers; maps non-200 answers to typed errors. {@code headers}: name, value, … */
    private JsonNode request(String method, String path, String... headers) {
        IOException last = null;
        for (URI server : servers) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server + path)).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (headers.length > 0) builder.headers(headers);
            HttpRequest req = builder.build();
            HttpResponse<String> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SecretStoreException.TransportFailure("interrupted", e);
            }
            return answer(server, resp);
        }
        throw new SecretStoreException.TransportFailure("no key server reachable (" + servers + "): "
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
