package dev.secretstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Error mapping, failover and request shapes against a scripted HTTP server (the real cluster: node's ClientAndRpcIT). */
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
}
