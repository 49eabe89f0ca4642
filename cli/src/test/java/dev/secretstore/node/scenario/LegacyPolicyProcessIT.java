package dev.secretstore.node.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import dev.secretstore.rpc.SecretStoreRpc;
import dev.secretstore.rpc.http.RpcHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SEC-32 legacy policy {@code shadow-only}, checked from outside with node processes of the command-line jar: the
 * exact call sequences of the Ocean JS, Python and Java clients (static signatures from {@code secretstore_signRawHash},
 * generation, store, shadow retrieval, local decryption through the {@code secretstore_*} JSON-RPC service, as in
 * ClientAndRpcIT) still work, while endpoint 3, endpoint 5 and signing with a static signature get 403 and a JSON body
 * naming the header, and work with a fresh authorization. Logs stay in {@code cli/target/legacy-shadow-only-*}.
 */
class LegacyPolicyProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SecureRandom RNG = new SecureRandom();

    /** A development account of the JSON-RPC service. */
    private record Account(String address, String password) {}

    private static ProcessClusterUnderTest cluster;
    private static RpcHttpServer rpc;
    private static final List<Account> accounts = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "legacy-shadow-only-").toAbsolutePath();
        System.out.println("configurations, data and node logs in " + dir);
        cluster = new ProcessClusterUnderTest(dir, 3, Map.of("legacy_requester_signatures", "\"shadow-only\""));
        Keystore keystore = new Keystore(dir.resolve("rpc-keystore"));
        StringBuilder grants = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            KeyPair kp = KeyPair.random();
            String password = "pw-" + i + "-" + Hex.encode(new byte[] {(byte) RNG.nextInt()});
            keystore.store(kp, password, KeystoreFile.ScryptParams.LIGHT);
            accounts.add(new Account(kp.address().toHex(), password));
            grants.append("\n[[grant]]\naddress = \"").append(kp.address().toHex()).append("\"\nkey_id = \"*\"\n");
            kp.destroy();
        }
        rpc = RpcHttpServer.start(new SecretStoreRpc(keystore), "127.0.0.1", 0, CorsPolicy.none());
        // the consumer (account 1) may retrieve every key; the policy file is looked at again at most once a second
        Files.writeString(dir.resolve("acl-policy.toml"), grants, StandardOpenOption.APPEND);
        Thread.sleep(1_100);
    }

    @AfterAll
    static void stop() {
        if (rpc != null) rpc.close();
        if (cluster != null) cluster.close();
    }

    private static String newKeyId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return Hex.encode(b);
    }

    private static JsonNode rpc(Account a, String method, Object... rest) throws Exception {
        List<Object> params = new ArrayList<>(List.of(a.address(), a.password()));
        params.addAll(List.of(rest));
        String body = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "method", method, "params", params, "id", 1));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(rpc.uri()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.has("error")).as(r.body()).isFalse();
        return n.get("result");
    }

    private static HttpResponse<String> keyServer(int member, String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.httpUri(member) + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header(Authorization.HEADER, authorization);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> keyServer(int member, String method, String path) throws Exception {
        return keyServer(member, method, path, null);
    }

    private static String strip(String quoted) {
        String s = quoted.startsWith("\"") ? quoted.substring(1, quoted.length() - 1) : quoted;
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    /** The Ocean JS client: sign, generate (endpoint 1), document key, store (endpoint 2), encrypt; consume by shadows. */
    @Test
    void sec32_oceanJsSequenceWorksUnderShadowOnly() throws Exception {
        Account pub = accounts.get(0);
        String id = newKeyId();
        String document = "{\n  \"files\": [\n    \"https://example.com/data.csv\"\n  ]\n}";
        String sig = strip(rpc(pub, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> gen = keyServer(0, "POST", "/shadow/" + id + "/" + sig + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        JsonNode dk = rpc(pub, "secretstore_generateDocumentKey", JSON.readTree(gen.body()).asText());
        HttpResponse<String> store = keyServer(0, "POST", "/shadow/" + id + "/" + sig + "/"
                + strip(dk.get("common_point").asText()) + "/" + strip(dk.get("encrypted_point").asText()));
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        String encrypted = rpc(pub, "secretstore_encrypt", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8))).asText();
        assertThat(oceanDecrypt(accounts.get(1), id, encrypted, 2)).isEqualTo(document);
        // the server key back for its author (endpoint 4) is allowed too
        assertThat(keyServer(1, "GET", "/server/" + id + "/" + sig).statusCode()).isEqualTo(200);
    }

    /** The Ocean Python and Java clients: upper-case hex (web3j), encrypt before storing, decrypt by shadows. */
    @Test
    void sec32_oceanPythonAndJavaSequenceWorksUnderShadowOnly() throws Exception {
        Account pub = accounts.get(0);
        String id = newKeyId();
        String document = "[\"https://example.com/ünïcode.csv\"]";
        String sig = strip(rpc(pub, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> gen = keyServer(1, "POST", "/shadow/" + id + "/" + sig + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        JsonNode dk = rpc(pub, "secretstore_generateDocumentKey", JSON.readTree(gen.body()).asText());
        String encrypted = rpc(pub, "secretstore_encrypt", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8)).toUpperCase(Locale.ROOT)).asText();
        HttpResponse<String> store = keyServer(1, "POST", "/shadow/" + id + "/" + sig + "/"
                + strip(dk.get("common_point").asText()) + "/" + strip(dk.get("encrypted_point").asText()));
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        assertThat(oceanDecrypt(accounts.get(1), id, encrypted.toUpperCase(Locale.ROOT).replace("0X", "0x"), 0)).isEqualTo(document);
    }

    /** Decrypt sequence of all three Ocean clients: signRawHash, GET /shadow/{id}/{sig}, shadowDecrypt. */
    private static String oceanDecrypt(Account who, String id, String encrypted, int member) throws Exception {
        String sig = strip(rpc(who, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> r = keyServer(member, "GET", "/shadow/" + id + "/" + sig);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(r.body());
        String plain = rpc(who, "secretstore_shadowDecrypt", s.get("decrypted_secret").asText(), s.get("common_point").asText(),
                s.get("decrypt_shadows"), encrypted).asText();
        assertThat(plain).startsWith("0x");
        return new String(Hex.decode(plain.substring(2)), StandardCharsets.UTF_8);
    }

    private static H256 clusterId() throws Exception {
        HttpResponse<String> r = keyServer(0, "GET", "/cluster");
        assertThat(r.statusCode()).isEqualTo(200);
        return H256.fromHex(JSON.readTree(r.body()).get("cluster_id").asText().substring(2));
    }

    private static String fresh(Operation op, H256 keyId, H256 params) throws Exception {
        byte[] nonce = new byte[Authorization.NONCE_LENGTH];
        RNG.nextBytes(nonce);
        long expires = System.currentTimeMillis() / 1000 + 120;
        return Authorization.sign(cluster.requester(), clusterId(), op, keyId, params, expires, nonce).toHeader();
    }

    private static void assertFreshRequired(HttpResponse<String> r, Operation op) throws Exception {
        assertThat(r.statusCode()).as(op + " " + r.body()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(JSON.readTree(r.body()).asText()).startsWith("\"Fresh authorization required: ")
                .contains("legacy_requester_signatures = shadow-only").contains(Authorization.HEADER).contains("operation " + op.code());
    }

    /**
     * SEC-32: under shadow-only a static signature cannot make a single member assemble a document key or a signature
     * (endpoints 3, 5, 7, 8: 403); the author's fresh authorization can.
     */
    @Test
    void sec32_endpoint5AndSigningWithAStaticSignatureGet403AndWorkWithAFreshAuthorization() throws Exception {
        H256 id = H256.fromHex(newKeyId());
        Outcome<PublicPoint> y = cluster.generateServerKey(0, id, 1);
        assertThat(y.status()).as("%s", y).isEqualTo(200);
        DocumentKey.Generated m = DocumentKey.generate(y.value(), RNG);
        assertThat(cluster.storeDocumentKey(1, id, m.encrypted()).status()).isEqualTo(200);
        String sig = Hex.encode(Ecdsa.sign(cluster.requester().secret(), id).toBytes());
        H256 message = H256.keccak("pay 10".getBytes(StandardCharsets.UTF_8));
        String k = id.toHex();
        for (int member = 0; member < 3; member++) {
            assertFreshRequired(keyServer(member, "GET", "/" + k + "/" + sig), Operation.RETRIEVE_DOCUMENT_KEY);
            assertFreshRequired(keyServer(member, "GET", "/schnorr/" + k + "/" + sig + "/" + message.toHex()), Operation.SIGN_SCHNORR);
            assertFreshRequired(keyServer(member, "GET", "/ecdsa/" + k + "/" + sig + "/" + message.toHex()), Operation.SIGN_ECDSA);
        }
        H256 other = H256.fromHex(newKeyId());
        String otherSig = Hex.encode(Ecdsa.sign(cluster.requester().secret(), other).toBytes());
        assertFreshRequired(keyServer(2, "POST", "/" + other.toHex() + "/" + otherSig + "/1"), Operation.GENERATE_DOCUMENT_KEY);
        assertThat(cluster.retrieveDocumentKey(0, id).status()).isEqualTo(403);

        // with the header (the path's signature is then ignored)
        String once = fresh(Operation.RETRIEVE_DOCUMENT_KEY, id, Operation.NO_PARAMS);
        HttpResponse<String> plain = keyServer(2, "GET", "/" + k + "/" + sig, once);
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(PublicPoint.fromBytes(Ecies.decryptFromServer(cluster.requester().secret(), Hex.decode(strip(plain.body())))))
                .isEqualTo(m.documentKey());
        // docs/auth.md §4: the same authorization again is a replay: refused by the member that served it, and served
        // by no other (every member that took part in the first session refuses to take part in a second)
        HttpResponse<String> replay = keyServer(2, "GET", "/" + k + "/" + sig, once);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(400);
        assertThat(JSON.readTree(replay.body()).asText()).isEqualTo("\"Insufficient requester data: bad authorization: already used\"");
        for (int member = 0; member < 2; member++) {
            HttpResponse<String> elsewhere = keyServer(member, "GET", "/" + k + "/" + sig, once);
            assertThat(elsewhere.statusCode()).as("replay through member %d: %s", member, elsewhere.body()).isNotEqualTo(200);
        }
        HttpResponse<String> schnorr = keyServer(0, "GET", "/schnorr/" + k + "/" + sig + "/" + message.toHex(),
                fresh(Operation.SIGN_SCHNORR, id, message));
        assertThat(schnorr.statusCode()).as(schnorr.body()).isEqualTo(200);
        HttpResponse<String> ecdsa = keyServer(1, "GET", "/ecdsa/" + k + "/" + sig + "/" + message.toHex(),
                fresh(Operation.SIGN_ECDSA, id, message));
        assertThat(ecdsa.statusCode()).as(ecdsa.body()).isEqualTo(200);
        HttpResponse<String> generated = keyServer(2, "POST", "/" + other.toHex() + "/" + otherSig + "/1",
                fresh(Operation.GENERATE_DOCUMENT_KEY, other, Operation.thresholdParams(1)));
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        // an authorization for endpoint 5 does not sign
        HttpResponse<String> retargeted = keyServer(0, "GET", "/schnorr/" + k + "/" + sig + "/" + message.toHex(),
                fresh(Operation.RETRIEVE_DOCUMENT_KEY, id, Operation.NO_PARAMS));
        assertThat(retargeted.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(retargeted.body()).asText()).startsWith("\"Insufficient requester data: bad authorization: ");
    }

    /** Discovery: every member reports the same cluster id (from the member list), the policy and the clock rules. */
    @Test
    void sec32_everyMemberReportsTheSameClusterIdAndPolicy() throws Exception {
        H256 expected = ClusterId.ofMembers(List.of(cluster.id(0), cluster.id(1), cluster.id(2)));
        for (int member = 0; member < 3; member++) {
            HttpResponse<String> r = keyServer(member, "GET", "/cluster");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode info = JSON.readTree(r.body());
            assertThat(info.get("cluster_id").asText()).isEqualTo("0x" + expected.toHex());
            assertThat(info.get("legacy_requester_signatures").asText()).isEqualTo("shadow-only");
            assertThat(info.get("max_lifetime").asLong()).isEqualTo(300);
            assertThat(info.get("clock_skew").asLong()).isEqualTo(30);
            assertThat(info.get("time").asLong()).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.opsUri(member) + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(health.body()).get("cluster_id").asText()).isEqualTo("0x" + expected.toHex());
        }
        assertThat(Files.readString(cluster.dir().resolve("node-0.log"))).contains("cluster id 0x" + expected.toHex())
                .contains("legacy_requester_signatures = shadow-only");
    }
}
