package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-32 (docs/auth.md §7): the administrative routes hand the administrator's {@code Secretstore-Authorization} to the
 * key server (which, with its members, checks it); a malformed one is refused with 400 before anything runs.
 */
class HttpApiAdminAuthorizationTest {
    private final KeyPair admin = KeyPair.random();
    private final AtomicReference<Optional<Authorization>> seen = new AtomicReference<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpApi api;

    private final KeyServer fake = new KeyServer() {
        private <T> CompletionStage<T> no() {
            return CompletableFuture.failedFuture(SecretStoreException.of(Kind.ACCESS_DENIED));
        }

        @Override public CompletionStage<PublicPoint> generateServerKey(H256 k, Requester r, long t) { return no(); }
        @Override public CompletionStage<Void> storeDocumentKey(H256 k, Requester r, PublicPoint c, PublicPoint e) { return no(); }
        @Override public CompletionStage<byte[]> generateDocumentKey(H256 k, Requester r, long t) { return no(); }
        @Override public CompletionStage<PublicPoint> retrieveServerKey(H256 k, Requester r) { return no(); }
        @Override public CompletionStage<byte[]> retrieveDocumentKey(H256 k, Requester r) { return no(); }
        @Override public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 k, Requester r) { return no(); }
        @Override public CompletionStage<byte[]> signSchnorr(H256 k, Requester r, H256 h) { return no(); }
        @Override public CompletionStage<byte[]> signEcdsa(H256 k, Requester r, H256 h) { return no(); }
        @Override public CompletionStage<Void> changeServersSet(byte[] o, byte[] n, Set<NodeId> s) { return no(); }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] o, byte[] n, Set<NodeId> s, Optional<Authorization> a) {
            calls.incrementAndGet();
            seen.set(a);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> refreshShares(byte[] sig, List<H256> keys, Optional<Authorization> a) {
            calls.incrementAndGet();
            seen.set(a);
            return CompletableFuture.completedFuture(null);
        }
    };

    @BeforeEach
    void start() throws Exception {
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), false);
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> post(String path, String body, String... authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (String a : authorization) b.header(Authorization.HEADER, a);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String sig() {
        return Hex.encode(Ecdsa.sign(admin.secret(), H256.keccak("x".getBytes())).toBytes());
    }

    private Authorization authorization(Operation op) {
        return Authorization.sign(admin, ClusterId.ofName("c"), op, H256.fromBytes(new byte[32]), Operation.NO_PARAMS, 1_900_000_000L,
                new byte[16]);
    }

    @Test
    void theAdministratorsAuthorizationReachesTheKeyServer() throws Exception {
        Authorization change = authorization(Operation.CHANGE_SERVERS_SET);
        String node = "\"0x" + KeyPair.random().publicKey().toHex().replace("0x", "") + "\"";
        HttpResponse<String> r = post("/admin/servers_set_change/" + sig() + "/" + sig(), "[" + node + "]", change.toHeader());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(seen.get()).contains(change);

        Authorization refresh = authorization(Operation.REFRESH_SHARES);
        assertThat(post("/admin/refresh_shares/" + sig(), "[]", refresh.toHeader()).statusCode()).isEqualTo(200);
        assertThat(seen.get()).contains(refresh);

        assertThat(post("/admin/refresh_shares/" + sig(), "[]").statusCode()).isEqualTo(200);
        assertThat(seen.get()).as("no header: Parity's signatures alone").isEmpty();
    }

    @Test
    void aMalformedOrDoubledAuthorizationIs400AndNothingRuns() throws Exception {
        HttpResponse<String> r = post("/admin/refresh_shares/" + sig(), "[]", "v1 expires=1 nonce=00 signer=0x00 signature=00");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("bad authorization");
        String h = authorization(Operation.REFRESH_SHARES).toHeader();
        assertThat(post("/admin/refresh_shares/" + sig(), "[]", h, h).statusCode()).isEqualTo(400);
        assertThat(calls.get()).isZero();
    }
}
