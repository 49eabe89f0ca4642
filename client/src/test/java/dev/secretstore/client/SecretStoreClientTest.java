package dev.secretstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Error mapping, failover and request shapes against a scripted HTTP server standing for a Parity node (no
 * {@code GET /cluster}: the client falls back to Parity's static signature); fresh authorizations:
 * {@link FreshAuthorizationClientTest}. The real cluster: cli's ClientAndRpcIT.
 */
class SecretStoreClientTest {
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** A server answering every request with {@code status} and {@code body}; returns its URL. */
    String server(int status, String body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        s.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/cluster")) { // a Parity node: no such route (docs/auth.md §6)
                ex.sendResponseHeaders(400, -1);
                ex.close();
                return;
            }
            synchronized (paths) {
                paths.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            if (b.length > 0) ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    static String deadUrl() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    static final String ID = "00".repeat(31) + "01";

    SecretStoreClient client(String... urls) {
        return SecretStoreClient.create(List.of(urls), Credentials.fromSecretHex("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7"));
    }

    @Test
    void signsTheKeyIdAndFailsOverOnTransportErrors() throws Exception {
        String serverKey = "\"0x" + KeyPair.random().publicKey().toHex().replace("0x", "") + "\"";
        String ok = server(200, serverKey);
        client(deadUrl(), ok).generateServerKey(SecretStoreClient.keyId(ID), 1);
        // test-vectors.md A.2: the dev account's signature of 00…01
        assertThat(paths).containsExactly("POST /shadow/" + ID
                + "/7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300/1");
        assertThatThrownBy(() -> client(deadUrl(), deadUrl()).generateServerKey(SecretStoreClient.keyId(ID), 0))
                .isInstanceOf(SecretStoreException.TransportFailure.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).status()).isEqualTo(-1));
    }

    @Test
    void errorsAreTypedWithStatusAndParityMessage() throws Exception {
        record Case(int status, String text, Class<? extends SecretStoreException> type) {}
        for (Case c : List.of(
                new Case(403, "Access denied", SecretStoreException.AccessDenied.class),
                new Case(403, "Consensus unreachable", SecretStoreException.ConsensusUnreachable.class),
                new Case(403, "Fresh authorization required: this key server accepts no static requester signature", SecretStoreException.FreshAuthorizationRequired.class),
                new Case(403, "Consensus temporary unreachable", SecretStoreException.ConsensusUnreachable.class),
                new Case(404, "Server key with this ID is not found", SecretStoreException.NotFound.class),
                new Case(404, "Document key with this ID is not found", SecretStoreException.NotFound.class),
                new Case(400, "Server key with this ID is already generated", SecretStoreException.AlreadyExists.class),
                new Case(400, "Document key with this ID is already stored", SecretStoreException.AlreadyExists.class),
                new Case(400, "Insufficient requester data: bad signature", SecretStoreException.InvalidInput.class),
                new Case(500, "not enough nodes for passed threshold", SecretStoreException.class))) {
            String url = server(c.status(), "\"\\\"" + c.text() + "\\\"\"");
            AtomicReference<SecretStoreException> caught = new AtomicReference<>();
            try {
                client(url).retrieveShadows(SecretStoreClient.keyId(ID));
            } catch (SecretStoreException e) {
                caught.set(e);
            }
            assertThat(caught.get()).as(c.text()).isExactlyInstanceOf(c.type());
            assertThat(caught.get().status()).isEqualTo(c.status());
            assertThat(caught.get().parityMessage()).isEqualTo(c.text());
        }
        // a 400 with an empty body (unparsable request)
        assertThatThrownBy(() -> client(server(400, "")).retrieveShadows(SecretStoreClient.keyId(ID)))
                .isInstanceOf(SecretStoreException.InvalidInput.class);
    }

    @Test
    void republishingSaysSo() throws Exception {
        String url = server(400, "\"\\\"Server key with this ID is already generated\\\"\"");
        assertThatThrownBy(() -> client(url).encryptDocument(ID, "doc", 0))
                .isInstanceOf(SecretStoreException.AlreadyExists.class)
                .hasMessageContaining("already published").hasMessageContaining("cannot be re-published");
    }

    @Test
    void invalidInputIsRejectedLocally() {
        assertThatThrownBy(() -> client("http://127.0.0.1:1").decryptDocument("xyz", "00")).isInstanceOf(SecretStoreException.InvalidInput.class);
        assertThatThrownBy(() -> client("http://127.0.0.1:1").decryptDocument(ID, "0x" + "00".repeat(15)))
                .isInstanceOf(SecretStoreException.InvalidInput.class);
        assertThatThrownBy(() -> Credentials.fromSecretHex("00".repeat(32))).isInstanceOf(SecretStoreException.InvalidInput.class);
        assertThat(SecretStoreClient.parityText("\"\\\"Access denied\\\"\"")).isEqualTo("Access denied");
        assertThat(Hex.encode(new byte[] {1})).isEqualTo("01");
    }

    /** A server answering 200 with the body of the first route whose prefix the path starts with (404 otherwise). */
    String routed(Map<String, String> routes) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        s.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            synchronized (paths) {
                if (!path.equals("/cluster")) paths.add(ex.getRequestMethod() + " " + path); // /cluster: 404, Parity's form
            }
            String body = routes.entrySet().stream().filter(e -> path.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
            int status = body == null ? 404 : 200;
            byte[] b = (body == null ? "\"\\\"Server key with this ID is not found\\\"\"" : body).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    static String quoted(byte[] bytes) {
        return "\"" + Hex.encodePrefixed(bytes) + "\"";
    }

    /** Parity's Schnorr by one holder of the whole key: s = k − c·x, so that s·G + c·Y = k·G. */
    static SchnorrSignature schnorr(KeyPair key, H256 mh) {
        SecretScalar k = SecretScalar.random();
        Scalar c = Scalar.reduce(Keccak256.hash(mh.toBytes(), k.mulG().x()));
        return new SchnorrSignature(c, k.sub(key.secret().mul(c)).reveal());
    }

    @Test
    void signaturesAreDecryptedAndVerifiedUnderTheServerKey() throws Exception {
        SecretStoreClient client = client("http://127.0.0.1:1");
        PublicPoint me = client.credentials().publicKey();
        KeyPair serverKey = KeyPair.random();
        H256 id = SecretStoreClient.keyId(ID);
        H256 mh = H256.fromBytes(Keccak256.hash("message".getBytes(StandardCharsets.UTF_8)));
        SchnorrSignature schnorr = schnorr(serverKey, mh);
        assertThat(Schnorr.verify(serverKey.publicKey(), mh, schnorr)).isTrue();
        RecoverableSignature ecdsa = Ecdsa.sign(serverKey.secret(), mh);
        byte[] schnorrBlob = Ecies.encryptToClient(me, schnorr.toBytes());
        byte[] ecdsaBlob = Ecies.encryptToClient(me, ecdsa.toBytes());
        assertThat(schnorrBlob).hasSize(177);
        assertThat(ecdsaBlob).hasSize(178);
        String url = routed(Map.of("/server/", quoted(serverKey.publicKey().toBytes()),
                "/schnorr/", quoted(schnorrBlob), "/ecdsa/", quoted(ecdsaBlob)));

        SecretStoreClient c = client(deadUrl(), url);
        assertThat(c.signSchnorr(id, mh).toBytes()).isEqualTo(schnorr.toBytes());
        assertThat(c.signEcdsa(id, mh).toBytes()).isEqualTo(ecdsa.toBytes());
        String sig = "7e11e1023d77135d6f395656fc66eeeffe7795824f1a5b2ffc78b1c5e8c84d5503de758f549a1372f797e124c0bd7b9f351bd8d6a8fa7cb4f173e8b431912aa300";
        assertThat(paths).containsExactly(
                "GET /server/" + ID + "/" + sig,
                "GET /schnorr/" + ID + "/" + sig + "/" + mh.toHex(),
                "GET /server/" + ID + "/" + sig,
                "GET /ecdsa/" + ID + "/" + sig + "/" + mh.toHex());
        paths.clear();
        assertThat(c.signSchnorr(id, mh, serverKey.publicKey()).toBytes()).isEqualTo(schnorr.toBytes());
        assertThat(c.signEcdsa(id, mh, serverKey.publicKey()).toBytes()).isEqualTo(ecdsa.toBytes());
        assertThat(paths).hasSize(2).noneMatch(p -> p.startsWith("GET /server/"));
        assertThat(c.retrieveServerKey(id)).isEqualTo(serverKey.publicKey());

        // a valid signature, but by another key, or over another hash
        PublicPoint other = KeyPair.random().publicKey();
        assertThatThrownBy(() -> c.signSchnorr(id, mh, other)).isInstanceOf(SecretStoreException.InvalidServerSignature.class)
                .hasMessageContaining("does not verify");
        assertThatThrownBy(() -> c.signEcdsa(id, mh, other)).isInstanceOf(SecretStoreException.InvalidServerSignature.class)
                .hasMessageContaining("does not recover");
        H256 otherHash = H256.fromBytes(Keccak256.hash(new byte[] {1}));
        assertThatThrownBy(() -> c.signSchnorr(id, otherHash)).isInstanceOf(SecretStoreException.InvalidServerSignature.class);
        assertThatThrownBy(() -> c.signEcdsa(id, otherHash)).isInstanceOf(SecretStoreException.InvalidServerSignature.class);
    }

    @Test
    void tamperedOrForeignSignatureBlobsAreErrors() throws Exception {
        PublicPoint me = client("http://127.0.0.1:1").credentials().publicKey();
        KeyPair serverKey = KeyPair.random();
        H256 id = SecretStoreClient.keyId(ID);
        H256 mh = H256.fromBytes(Keccak256.hash("message".getBytes(StandardCharsets.UTF_8)));
        byte[] schnorrBlob = Ecies.encryptToClient(me, schnorr(serverKey, mh).toBytes());
        byte[] ecdsaBlob = Ecies.encryptToClient(me, Ecdsa.sign(serverKey.secret(), mh).toBytes());
        schnorrBlob[140] ^= 1; // in the ciphertext: the MAC fails
        ecdsaBlob[ecdsaBlob.length - 1] ^= 0x80; // in the MAC
        byte[] foreign = Ecies.encryptToClient(KeyPair.random().publicKey(), Ecdsa.sign(serverKey.secret(), mh).toBytes());
        byte[] shortPlain = Ecies.encryptToClient(me, new byte[63]);
        String url = routed(Map.of("/schnorr/", quoted(schnorrBlob), "/ecdsa/", quoted(ecdsaBlob)));
        assertThatThrownBy(() -> client(url).signSchnorr(id, mh, serverKey.publicKey()))
                .isInstanceOf(SecretStoreException.InvalidServerSignature.class).hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> client(url).signEcdsa(id, mh, serverKey.publicKey()))
                .isInstanceOf(SecretStoreException.InvalidServerSignature.class).hasMessageContaining("does not decrypt");
        String url2 = routed(Map.of("/schnorr/", quoted(shortPlain), "/ecdsa/", quoted(foreign)));
        assertThatThrownBy(() -> client(url2).signSchnorr(id, mh, serverKey.publicKey()))
                .isInstanceOf(SecretStoreException.InvalidServerSignature.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> client(url2).signEcdsa(id, mh, serverKey.publicKey()))
                .isInstanceOf(SecretStoreException.InvalidServerSignature.class).hasMessageContaining("does not decrypt");
        // errors of endpoint 4 and 7 keep their types
        String url3 = routed(Map.of());
        assertThatThrownBy(() -> client(url3).signSchnorr(id, mh)).isInstanceOf(SecretStoreException.NotFound.class);
        assertThatThrownBy(() -> client(server(403, "\"\\\"Consensus unreachable\\\"\"")).signEcdsa(id, mh, serverKey.publicKey()))
                .isInstanceOf(SecretStoreException.ConsensusUnreachable.class);
    }
}
