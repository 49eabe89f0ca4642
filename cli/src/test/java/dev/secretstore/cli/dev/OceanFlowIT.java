package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ocean publish/consume flow against real key servers: separate node instances in this JVM, each
 * with its own SQLite store, talking over real sockets (Noise transport) and serving the HTTP API.
 */
class OceanFlowIT {
    private static final SecureRandom RNG = new SecureRandom();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final KeyPair publisher = KeyPair.random();

    @TempDir
    Path dir;

    private DevCluster.Running cluster;
    private final List<String> logged = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.logging.Handler capture = new java.util.logging.Handler() {
        private final java.util.logging.SimpleFormatter format = new java.util.logging.SimpleFormatter();

        @Override
        public void publish(java.util.logging.LogRecord record) {
            logged.add(format.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void start() throws Exception {
        java.util.logging.Logger.getLogger("").addHandler(capture);
        int base = TestPorts.base();
        cluster = DevCluster.start(3, dir, base, base + 10, base + 20, new PrintStream(PrintStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
        java.util.logging.Logger.getLogger("").removeHandler(capture);
    }

    /** SEC-07: no secret in any log line: node keys, the requester's key, document keys. */
    private void assertNoSecretLogged(PublicPoint... documentKeys) throws Exception {
        List<String> secrets = new ArrayList<>();
        secrets.add(Hex.encode(publisher.secret().toBytes()));
        for (int i = 0; i < 3; i++) secrets.add(java.nio.file.Files.readString(dir.resolve("node-" + i + ".key")).trim());
        for (PublicPoint m : documentKeys) {
            secrets.add(m.toHex());
            secrets.add(m.toHex().substring(0, 32)); // the AES key alone
        }
        synchronized (logged) {
            assertThat(logged).isNotEmpty();
            for (String line : logged) {
                for (String secret : secrets) {
                    assertThat(line.toLowerCase(java.util.Locale.ROOT)).doesNotContain(secret);
                }
            }
        }
    }

    private static H256 randomKeyId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private String sig(KeyPair who, H256 keyId) {
        return Hex.encode(Ecdsa.sign(who.secret(), keyId).toBytes());
    }

    private HttpResponse<String> call(int node, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String unquote(String body) {
        assertThat(body).startsWith("\"0x").endsWith("\"");
        return body.substring(3, body.length() - 1);
    }

    /** Publisher side: generate a server key (t), make a document key locally, store it. Returns M. */
    private PublicPoint publish(H256 keyId, int t) throws Exception {
        HttpResponse<String> gen = call(0, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/" + t);
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        PublicPoint serverKey = PublicPoint.fromHex(unquote(gen.body()));
        DocumentKey.Generated doc = DocumentKey.generate(serverKey, RNG);
        HttpResponse<String> store = call(1, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/"
                + doc.encrypted().commonPoint().toHex() + "/" + doc.encrypted().encryptedPoint().toHex());
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        assertThat(store.body()).isEmpty();
        return doc.documentKey();
    }

    /** Consumer side: retrieve shadows from a node and combine them locally. */
    private PublicPoint retrieve(int node, H256 keyId, KeyPair consumer) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/shadow/" + keyId.toHex() + "/" + sig(consumer, keyId));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        List<SecretScalar> shadows = new ArrayList<>();
        for (JsonNode blob : body.get("decrypt_shadows")) {
            shadows.add(SecretScalar.fromBytes(Ecies.decryptFromServer(consumer.secret(), Hex.decode(blob.asText().substring(2)))));
        }
        return Decryption.clientCombine(PublicPoint.fromHex(body.get("decrypted_secret").asText()),
                PublicPoint.fromHex(body.get("common_point").asText()), shadows);
    }

    @Test
    void publishStoreRetrieveShadowsAndDecrypt() throws Exception {
        H256 keyId = randomKeyId();
        PublicPoint m = publish(keyId, 1);
        byte[] encrypted = DocumentCipher.encrypt(m, "{\"url\":\"https://example.com/asset\"}".getBytes(StandardCharsets.UTF_8));
        for (int node = 0; node < 3; node++) {
            PublicPoint combined = retrieve(node, keyId, publisher);
            assertThat(combined).isEqualTo(m);
            assertThat(new String(DocumentCipher.decrypt(combined, encrypted), StandardCharsets.UTF_8)).contains("example.com/asset");
        }
        // non-shadow retrieval: the master assembles M and returns it encrypted to the requester
        HttpResponse<String> plain = call(2, "GET", "/" + keyId.toHex() + "/" + sig(publisher, keyId));
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(Ecies.decryptFromServer(publisher.secret(), Hex.decode(unquote(plain.body())))).isEqualTo(m.toBytes());
        // the author gets the server key back; anyone else is refused
        assertThat(call(2, "GET", "/server/" + keyId.toHex() + "/" + sig(publisher, keyId)).statusCode()).isEqualTo(200);
        KeyPair stranger = KeyPair.random();
        HttpResponse<String> denied = call(0, "GET", "/shadow/" + keyId.toHex() + "/" + sig(stranger, keyId));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");
        assertNoSecretLogged(m);
        // SEC-29: one audit line per request, with the key id and the requester's address
        synchronized (logged) {
            assertThat(logged.stream().filter(l -> l.contains("op=retrieve_shadows status=200 key=" + keyId.toHex()
                    + " requester=" + publisher.address().toHex())).count()).isEqualTo(3);
            assertThat(logged.stream().filter(l -> l.contains("op=retrieve_shadows error=CONSENSUS_UNREACHABLE status=403 key=" + keyId.toHex()
                    + " requester=" + stranger.address().toHex())).count()).isEqualTo(1);
        }
    }

    /** Endpoint 3: the server draws the document key and returns it encrypted to the requester (177 bytes). */
    @Test
    void serverGeneratedDocumentKeyMatchesWhatShadowsGive() throws Exception {
        H256 keyId = randomKeyId();
        HttpResponse<String> r = call(1, "POST", "/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        byte[] blob = Hex.decode(unquote(r.body()));
        assertThat(blob).hasSize(177);
        PublicPoint m = PublicPoint.fromBytes(Ecies.decryptFromServer(publisher.secret(), blob));
        assertThat(retrieve(2, keyId, publisher)).isEqualTo(m);
        HttpResponse<String> again = call(0, "POST", "/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/1");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).isEqualTo("\"\\\"Server key with this ID is already generated\\\"\"");
    }

    @Test
    void parityErrorsForRepublishAndRestore() throws Exception {
        H256 keyId = randomKeyId();
        publish(keyId, 1);
        HttpResponse<String> again = call(2, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/1");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).isEqualTo("\"\\\"Server key with this ID is already generated\\\"\"");
        DocumentKey.Generated other = DocumentKey.generate(SecretScalar.random().mulG(), RNG);
        HttpResponse<String> restore = call(0, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/"
                + other.encrypted().commonPoint().toHex() + "/" + other.encrypted().encryptedPoint().toHex());
        assertThat(restore.statusCode()).isEqualTo(400);
        assertThat(restore.body()).isEqualTo("\"\\\"Document key with this ID is already stored\\\"\"");
        HttpResponse<String> tooHigh = call(0, "POST", "/shadow/" + randomKeyId().toHex() + "/" + sig(publisher, keyId) + "/3");
        assertThat(tooHigh.statusCode()).isEqualTo(500);
        assertThat(tooHigh.body()).isEqualTo("\"\\\"not enough nodes for passed threshold\\\"\"");
        H256 unknown = randomKeyId();
        HttpResponse<String> notFound = call(1, "GET", "/shadow/" + unknown.toHex() + "/" + sig(publisher, unknown));
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).isEqualTo("\"\\\"Server key with this ID is not found\\\"\"");
    }

    @Test
    void oneOfThreeDownStillServesTwoDownFailsAndRestartServesEverything() throws Exception {
        H256 keyId = randomKeyId();
        PublicPoint m = publish(keyId, 1);
        cluster.stop(2);
        assertThat(retrieve(0, keyId, publisher)).isEqualTo(m);
        cluster.stop(1);
        HttpResponse<String> r = call(0, "GET", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).as("holders exist but are down: the accurate, temporary variant")
                .isEqualTo("\"\\\"Consensus temporary unreachable\\\"\"");
        cluster.stop(0);
        for (int i = 0; i < 3; i++) cluster.restart(i);
        for (int node = 0; node < 3; node++) {
            assertThat(retrieve(node, keyId, publisher)).isEqualTo(m);
        }
    }
}
