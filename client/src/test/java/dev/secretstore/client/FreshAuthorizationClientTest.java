package dev.secretstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-32, docs/auth.md §6: the client signs a fresh authorization per request when the key server offers
 * {@code GET /cluster}, falls back to Parity's static signature when it answers 400 (a Parity node) unless strict, and
 * never asks in legacy mode or with a configured cluster id. Against a stub server; the real node: cli's ITs.
 */
class FreshAuthorizationClientTest {
    static final String ID = "00".repeat(31) + "01";
    static final H256 KEY_ID = H256.fromHex(ID);
    static final H256 CLUSTER = ClusterId.ofName("stub");
    static final long NOW = 1_800_000_000L;

    record Seen(String method, String path, String authorization) {}

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<Seen> seen = new ArrayList<>();
    private final Credentials me = Credentials.fromSecretHex("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7");

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** Answers {@code GET /cluster} with {@code clusterStatus}/{@code clusterBody}, every other request 200 {@code body}. */
    String server(int clusterStatus, String clusterBody, String body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        s.createContext("/", ex -> {
            synchronized (seen) {
                seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst(Authorization.HEADER)));
            }
            boolean cluster = ex.getRequestURI().getPath().equals("/cluster");
            byte[] b = (cluster ? clusterBody : body).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(cluster ? clusterStatus : 200, b.length == 0 ? -1 : b.length);
            if (b.length > 0) ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    static String clusterJson(long time, long maxLifetime) {
        return "{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"legacy_requester_signatures\":\"shadow-only\",\"max_lifetime\":" + maxLifetime
                + ",\"clock_skew\":30,\"time\":" + time + "}";
    }

    static String quotedPoint(PublicPoint p) {
        return "\"" + Hex.encodePrefixed(p.toBytes()) + "\"";
    }

    SecretStoreClient.Builder client(String url) {
        return SecretStoreClient.builder(List.of(url), me).clock(() -> NOW);
    }

    /** The request's authorization, checked to be a valid one for exactly this operation by this requester. */
    Authorization checked(Seen s, Operation op, H256 params) {
        assertThat(s.authorization()).as(s.path()).isNotNull();
        Authorization a = Authorization.parseHeader(s.authorization());
        assertThat(a.verify(CLUSTER, op, KEY_ID, params)).isEqualTo(me.publicKey());
        // the path's signature segment carries the authorization's own signature (Parity's routing still parses it)
        assertThat(s.path()).contains("/" + Hex.encode(a.signature().toBytes()));
        return a;
    }

    @Test
    void signsAFreshAuthorizationPerRequestForTheDiscoveredCluster() throws Exception {
        PublicPoint serverKey = KeyPair.random().publicKey();
        // the node's clock is 1000 s ahead of ours: expiries follow the node's clock
        String url = server(200, clusterJson(NOW + 1000, 300), quotedPoint(serverKey));
        SecretStoreClient c = client(url).build();
        c.generateServerKey(KEY_ID, 1);
        EncryptedDocumentKey ck = DocumentKey.generate(serverKey, new SecureRandom()).encrypted();
        c.storeDocumentKey(KEY_ID, ck);
        c.retrieveServerKey(KEY_ID);

        assertThat(seen.get(0)).isEqualTo(new Seen("GET", "/cluster", null));
        assertThat(seen).hasSize(4).filteredOn(s -> s.path().equals("/cluster")).hasSize(1); // asked once, remembered
        Authorization gen = checked(seen.get(1), Operation.GENERATE_SERVER_KEY, Operation.thresholdParams(1));
        Authorization store = checked(seen.get(2), Operation.STORE_DOCUMENT_KEY, Operation.storeParams(ck.commonPoint(), ck.encryptedPoint()));
        Authorization get = checked(seen.get(3), Operation.RETRIEVE_SERVER_KEY, Operation.NO_PARAMS);
        assertThat(seen.get(1).path()).startsWith("/shadow/" + ID + "/").endsWith("/1");
        for (Authorization a : List.of(gen, store, get)) assertThat(a.expires()).isEqualTo(NOW + 1000 + 60);
        Set<String> nonces = new HashSet<>();
        for (Authorization a : List.of(gen, store, get)) nonces.add(Hex.encode(a.nonce()));
        assertThat(nonces).hasSize(3);
    }

    @Test
    void signingRequestsBindTheMessageHashAndTheLifetimeIsCappedByTheNode() throws Exception {
        String url = server(200, clusterJson(NOW, 20), "\"0x00\"");
        H256 mh = H256.keccak("message".getBytes(StandardCharsets.UTF_8));
        SecretStoreClient c = client(url).build();
        PublicPoint serverKey = KeyPair.random().publicKey();
        // the stub's answer does not decrypt: only the request matters here
        assertThatThrownBy(() -> c.signSchnorr(KEY_ID, mh, serverKey)).isInstanceOf(SecretStoreException.class);
        assertThatThrownBy(() -> c.signEcdsa(KEY_ID, mh, serverKey)).isInstanceOf(SecretStoreException.class);
        assertThatThrownBy(() -> c.retrieveDocumentKey(KEY_ID)).isInstanceOf(SecretStoreException.class);
        assertThatThrownBy(() -> c.retrieveShadows(KEY_ID)).isInstanceOf(SecretStoreException.class);
        assertThat(checked(seen.get(1), Operation.SIGN_SCHNORR, mh).expires()).isEqualTo(NOW + 20);
        checked(seen.get(2), Operation.SIGN_ECDSA, mh);
        checked(seen.get(3), Operation.RETRIEVE_DOCUMENT_KEY, Operation.NO_PARAMS);
        checked(seen.get(4), Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, Operation.NO_PARAMS);
        assertThat(seen.get(1).path()).isEqualTo("/schnorr/" + ID + "/" + Hex.encode(Authorization.parseHeader(seen.get(1).authorization())
                .signature().toBytes()) + "/" + mh.toHex());
    }

    @Test
    void fallsBackToParitysStaticSignatureWhenClusterIsAnswered400() throws Exception {
        String url = server(400, "", quotedPoint(KeyPair.random().publicKey()));
        SecretStoreClient c = client(url).build();
        c.retrieveServerKey(KEY_ID);
        c.retrieveServerKey(KEY_ID);
        // test-vectors.md A.2: the dev account's signature of 00…01
        String staticSig = "7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300";
        assertThat(seen).containsExactly(new Seen("GET", "/cluster", null), new Seen("GET", "/server/" + ID + "/" + staticSig, null),
                new Seen("GET", "/server/" + ID + "/" + staticSig, null));
    }

    @Test
    void strictModeRefusesToFallBack() throws Exception {
        String url = server(400, "", quotedPoint(KeyPair.random().publicKey()));
        SecretStoreClient c = client(url).authorization(SecretStoreClient.AuthorizationMode.FRESH_ONLY).build();
        assertThatThrownBy(() -> c.retrieveServerKey(KEY_ID)).isInstanceOf(SecretStoreException.FreshAuthorizationUnavailable.class)
                .hasMessageContaining("GET /cluster");
        assertThat(seen).containsExactly(new Seen("GET", "/cluster", null)); // nothing sent with a static signature
    }

    @Test
    void legacyModeNeverAsksAndSendsNoHeader() throws Exception {
        String url = server(200, clusterJson(NOW, 300), quotedPoint(KeyPair.random().publicKey()));
        client(url).authorization(SecretStoreClient.AuthorizationMode.LEGACY).build().retrieveServerKey(KEY_ID);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).authorization()).isNull();
        assertThat(seen.get(0).path()).endsWith("/7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300");
    }

    @Test
    void aConfiguredClusterIdIsUsedWithoutDiscovery() throws Exception {
        String url = server(500, "", quotedPoint(KeyPair.random().publicKey()));
        client(url).clusterId(CLUSTER).build().retrieveServerKey(KEY_ID);
        assertThat(seen).hasSize(1);
        assertThat(checked(seen.get(0), Operation.RETRIEVE_SERVER_KEY, Operation.NO_PARAMS).expires()).isEqualTo(NOW + 60);
    }

    @Test
    void anUnexpectedClusterAnswerIsAnErrorNotAFallback() throws Exception {
        String broken = server(200, "{\"cluster_id\":\"nonsense\"}", "\"0x00\"");
        assertThatThrownBy(() -> client(broken).build().retrieveServerKey(KEY_ID)).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("unexpected body");
        String failing = server(500, "\"\\\"Internal error\\\"\"", "\"0x00\"");
        assertThatThrownBy(() -> client(failing).build().retrieveServerKey(KEY_ID)).isInstanceOf(SecretStoreException.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).status()).isEqualTo(500));
        assertThat(seen).allMatch(s -> s.path().equals("/cluster"));
    }
}
