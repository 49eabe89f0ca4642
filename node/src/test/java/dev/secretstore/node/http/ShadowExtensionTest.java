package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-33: endpoint 6's opt-in check data and member exclusion over real sockets. Without the extension's headers the
 * body is Parity's, byte for byte.
 */
class ShadowExtensionTest {
    private static final String ID = "00".repeat(31) + "01";
    private final KeyPair requester = KeyPair.random();
    private final String path = "/shadow/" + ID + "/" + Hex.encode(Ecdsa.sign(requester.secret(), H256.fromHex(ID)).toBytes());
    private final PublicPoint secret = SecretScalar.random().mulG();
    private final PublicPoint common = SecretScalar.random().mulG();
    private final NodeId a = new NodeId(SecretScalar.random().mulG());
    private final NodeId b = new NodeId(SecretScalar.random().mulG());
    private final PublicPoint wa = SecretScalar.random().mulG();
    private final PublicPoint wb = SecretScalar.random().mulG();
    private final List<Set<NodeId>> excludedAsked = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpApi api;

    /** Endpoint 6 only; the others are not reached by these tests. */
    private final KeyServer shadows = new KeyServer() {
        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester r) {
            return retrieveDocumentKeyShadows(keyId, r, Set.of());
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester r, Set<NodeId> excluded) {
            excludedAsked.add(excluded);
            return CompletableFuture.completedFuture(new ShadowRetrieval(secret, common, List.of(new byte[] {1, 2}, new byte[] {3, 4}),
                    new TreeSet<>(List.of(a, b)).stream().map(n -> new ShadowCheck(n, n.equals(a) ? wa : wb)).toList()));
        }

        @Override
        public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester r) {
            return CompletableFuture.completedFuture(common);
        }

        private <T> CompletionStage<T> unused() {
            return CompletableFuture.failedFuture(SecretStoreException.of(Kind.INTERNAL, "unused"));
        }

        @Override
        public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester r, long t) {
            return unused();
        }

        @Override
        public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester r, PublicPoint c, PublicPoint e) {
            return unused();
        }

        @Override
        public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester r, long t) {
            return unused();
        }

        @Override
        public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester r) {
            return unused();
        }

        @Override
        public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester r, H256 hash) {
            return unused();
        }

        @Override
        public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester r, H256 hash) {
            return unused();
        }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] oldSig, byte[] newSig, Set<NodeId> newSet) {
            return unused();
        }
    };

    @BeforeEach
    void start() throws Exception {
        start(false);
    }

    private void start(boolean parityStrict) throws Exception {
        if (api != null) api.close();
        api = new HttpApi(shadows, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), parityStrict);
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).GET();
        if (headers.length > 0) r.headers(headers);
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String parity() {
        return "{\"decrypted_secret\":\"0x" + secret.toHex() + "\",\"common_point\":\"0x" + common.toHex()
                + "\",\"decrypt_shadows\":[\"0x0102\",\"0x0304\"]}";
    }

    @Test
    void withoutTheHeaderTheBodyIsParitysByteForByte_SEC33() throws Exception {
        assertThat(get(path).body()).isEqualTo(parity());
        assertThat(get(path, ShadowExtension.CHECK_HEADER, "0").body()).isEqualTo(parity());
        assertThat(excludedAsked).containsOnly(Set.of());
    }

    @Test
    void withTheHeaderEachShadowsMemberAndProvedPointFollowParitysFields_SEC33() throws Exception {
        HttpResponse<String> r = get(path, ShadowExtension.CHECK_HEADER, "1");
        assertThat(r.statusCode()).isEqualTo(200);
        List<NodeId> order = List.copyOf(new TreeSet<>(List.of(a, b)));
        PublicPoint w0 = order.get(0).equals(a) ? wa : wb;
        PublicPoint w1 = order.get(0).equals(a) ? wb : wa;
        assertThat(r.body()).isEqualTo(parity().substring(0, parity().length() - 1)
                + ",\"decrypt_shadow_nodes\":[\"0x" + order.get(0).toHex() + "\",\"0x" + order.get(1).toHex() + "\"]"
                + ",\"decrypt_shadow_points\":[\"0x" + w0.toHex() + "\",\"0x" + w1.toHex() + "\"]}");
    }

    @Test
    void theExcludedMembersReachTheKeyServer_SEC33() throws Exception {
        assertThat(get(path, ShadowExtension.EXCLUDE_HEADER, "0x" + a.toHex() + ", " + b.toHex().toUpperCase()).statusCode()).isEqualTo(200);
        assertThat(excludedAsked).containsExactly(Set.of(a, b));
    }

    @Test
    void aMalformedExtensionHeaderIs400AndReachesNoSession_SEC33() throws Exception {
        for (String[] bad : List.of(
                new String[] {ShadowExtension.EXCLUDE_HEADER, "0x1234"},
                new String[] {ShadowExtension.EXCLUDE_HEADER, "0x" + a.toHex() + ","},
                new String[] {ShadowExtension.EXCLUDE_HEADER, "0x" + "00".repeat(63) + "07"}, // not on the curve
                new String[] {ShadowExtension.EXCLUDE_HEADER, ("0x" + a.toHex() + ",").repeat(ShadowExtension.MAX_EXCLUDED) + a.toHex()},
                new String[] {ShadowExtension.CHECK_HEADER, "yes"})) {
            HttpResponse<String> r = get(path, bad);
            assertThat(r.statusCode()).as(bad[1]).isEqualTo(400);
            assertThat(r.body()).as(bad[1]).startsWith("\"\\\"Serialization error: " + bad[0]);
        }
        assertThat(excludedAsked).isEmpty();
    }

    @Test
    void parityStrictModeIgnoresTheHeaders_SEC33() throws Exception {
        start(true);
        assertThat(get(path, ShadowExtension.CHECK_HEADER, "1", ShadowExtension.EXCLUDE_HEADER, "0x" + a.toHex()).body()).isEqualTo(parity());
        assertThat(get(path, ShadowExtension.EXCLUDE_HEADER, "garbage").statusCode()).isEqualTo(200);
        assertThat(excludedAsked).containsOnly(Set.of());
    }

    @Test
    void otherEndpointsIgnoreTheHeaders_SEC33() throws Exception {
        HttpResponse<String> r = get("/server/" + ID + "/" + path.substring(path.lastIndexOf('/') + 1),
                ShadowExtension.CHECK_HEADER, "1", ShadowExtension.EXCLUDE_HEADER, "garbage");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("\"0x" + common.toHex() + "\"");
    }
}
