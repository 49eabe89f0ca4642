package dev.secretstore.rpc.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import dev.secretstore.rpc.SecretStoreRpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over HTTP: status 200 for every JSON-RPC response, CORS, and the exact call sequences
 * of the JS, Python and Java Ocean clients (jsonrpc.md §8, §9) against a key server simulated with
 * the crypto layer (a single node, t = 0).
 */
class RpcHttpServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static RpcHttpServer server;
    static KeyPair alice;
    static String address;

    @BeforeAll
    static void start() throws Exception {
        Keystore ks = new Keystore(dir);
        alice = KeyPair.random();
        address = alice.address().toHex();
        ks.store(alice, "alice-pw", KeystoreFile.ScryptParams.LIGHT);
        server = RpcHttpServer.start(new SecretStoreRpc(ks), "127.0.0.1", 0, CorsPolicy.parse("http://app.example"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri()).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode rpc(String method, Object... params) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("jsonrpc", "2.0", "method", method, "params", List.of(params), "id", 1));
        HttpResponse<String> r = post(body, "Content-Type", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.has("error")).as(r.body()).isFalse();
        return n.get("result");
    }

    @Test
    void bindsLoopbackAndAnswers200ForErrors() throws Exception {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":7}");
        assertThat(post("garbage").statusCode()).isEqualTo(200);
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.uri()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void cors() throws Exception {
        HttpResponse<String> pre = HTTP.send(HttpRequest.newBuilder(server.uri())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .headers("Origin", "http://app.example", "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).contains("http://app.example");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Content-Type");
        HttpResponse<String> ok = post("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":1}", "Origin", "http://app.example");
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains("http://app.example");
        HttpResponse<String> bad = post("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":1}", "Origin", "http://evil.example");
        assertThat(bad.statusCode()).isEqualTo(404);
        assertThat(bad.body()).isEmpty();
    }

    /** A single key server (t = 0) simulated with the crypto layer. */
    static final class FakeKeyServer {
        final SecretScalar y = SecretScalar.random();
        PublicPoint c;
        PublicPoint e;

        String generate() {
            return Hex.encodePrefixed(y.mulG().toBytes());
        }

        void store(String commonPoint, String encryptedPoint) {
            c = PublicPoint.fromHex(commonPoint);
            e = PublicPoint.fromHex(encryptedPoint);
        }

        /** Endpoint 6: M = decrypted_secret + d·common_point, d sent ECIES-encrypted to the requester. */
        List<Object> shadowRetrieve(PublicPoint requester) {
            PublicPoint m = e.subtract(y.mul(c));
            SecretScalar d = SecretScalar.random();
            PublicPoint decryptedSecret = m.subtract(d.mul(c));
            String shadow = Hex.encodePrefixed(Ecies.encryptToClient(requester, d.toBytes()));
            return List.of(Hex.encodePrefixed(decryptedSecret.toBytes()), Hex.encodePrefixed(c.toBytes()), List.of(shadow));
        }
    }

    static String id() {
        return Hex.encode(SecretScalar.random().toBytes());
    }

    @Test
    void jsClientSequencePrettyPrintedJsonDocument() throws Exception {
        FakeKeyServer ks = new FakeKeyServer();
        String id = id();
        String document = "{\n  \"files\": [\n    \"https://example.com/a\"\n  ]\n}";
        String sig1 = rpc("secretstore_signRawHash", address, "alice-pw", "0x" + id).asText();
        String serverKey = ks.generate();
        JsonNode dk = rpc("secretstore_generateDocumentKey", address, "alice-pw", serverKey);
        String sig2 = rpc("secretstore_signRawHash", address, "alice-pw", "0x" + id).asText();
        assertThat(sig2).isEqualTo(sig1).matches("0x[0-9a-f]{130}");
        ks.store(dk.get("common_point").asText(), dk.get("encrypted_point").asText());
        String encrypted = rpc("secretstore_encrypt", address, "alice-pw", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8))).asText();
        assertThat(encrypted).isEqualTo(encrypted.toLowerCase(Locale.ROOT));
        assertThat(decryptSequence(ks, id, encrypted)).isEqualTo(document);
    }

    @Test
    void pythonAndJavaSequenceWithUpperCaseHex() throws Exception {
        FakeKeyServer ks = new FakeKeyServer();
        String id = id();
        String document = "[\"https://example.com/ünïcode\"]";
        rpc("secretstore_signRawHash", address, "alice-pw", "0x" + id.toUpperCase(Locale.ROOT));
        String serverKey = ks.generate();
        JsonNode dk = rpc("secretstore_generateDocumentKey", address, "alice-pw", serverKey);
        // Java (web3j) sends upper-case hex after 0x; it encrypts before storing
        String encrypted = rpc("secretstore_encrypt", address, "alice-pw", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8)).toUpperCase(Locale.ROOT)).asText();
        ks.store(dk.get("common_point").asText(), dk.get("encrypted_point").asText());
        assertThat(decryptSequence(ks, id, encrypted.substring(2).toUpperCase(Locale.ROOT))).isEqualTo(document);
    }

    /** Decrypt (all three clients): signRawHash, HTTP endpoint 6, shadowDecrypt; the encrypted document as given. */
    static String decryptSequence(FakeKeyServer ks, String id, String encryptedDocument) throws Exception {
        rpc("secretstore_signRawHash", address, "alice-pw", "0x" + id);
        List<Object> shadow = ks.shadowRetrieve(alice.publicKey());
        String data = encryptedDocument.startsWith("0x") ? encryptedDocument : "0x" + encryptedDocument;
        String plain = rpc("secretstore_shadowDecrypt", address, "alice-pw", shadow.get(0), shadow.get(1), shadow.get(2), data).asText();
        assertThat(plain).startsWith("0x");
        return new String(Hex.decode(plain.substring(2)), StandardCharsets.UTF_8);
    }
}
