package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.node.audit.AuditTrail;
import dev.secretstore.node.audit.AuditVerifier;
import dev.secretstore.node.audit.EdgeAudit;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-29 at the HTTP edge: a request no session recorded (refused here before any session, endpoint 4, an
 * administrative request) gets its one audit line from the listener, in the node's hash-chained file that
 * {@code audit verify} accepts; a failure the key server's sessions recorded gets none here; and fail closed: a result
 * or refusal whose line cannot be written is answered 500 "Database error", as a session's unwritten line is.
 */
class HttpApiAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final H256 KEY = H256.keccak("http-audit".getBytes());

    private final KeyPair requester = KeyPair.random();
    private final KeyPair node = KeyPair.random();
    private final PublicPoint serverKey = SecretScalar.random().mulG();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicBoolean failing = new AtomicBoolean();
    private AuditTrail trail;
    private HttpApi api;
    /** What the fake key server fails a document-key retrieval with. */
    private SecretStoreException retrievalFailure = SecretStoreException.of(Kind.ACCESS_DENIED);

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (api != null) api.close();
        if (trail != null) trail.close();
    }

    private void start(RequestLimits limits, Admission.Config admission, KeyCreators creators) throws Exception {
        trail = AuditTrail.open(AuditTrail.Config.defaults(dir), node);
        EdgeAudit sink = line -> {
            if (failing.get()) throw SecretStoreException.of(Kind.DATABASE, "audit trail cannot be written");
            trail.recordAlone(line);
        };
        api = new HttpApi(new FakeKeyServer(), new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), HostAllowList.defaults(), false,
                limits, new Admission(admission), creators, (op, status, nanos) -> { },
                new dev.secretstore.protocol.auth.RequesterCheck(dev.secretstore.protocol.auth.RequesterCheck.Settings.parityCompatible(
                        HttpApi.STANDALONE_CLUSTER), dev.secretstore.protocol.auth.WallClock.SYSTEM, new dev.secretstore.protocol.auth.ReplayGuard()),
                HttpApi.defaultLimits(), null, sink);
    }

    private void start() throws Exception {
        start(new RequestLimits(RequestLimits.Config.NONE), Admission.Config.NONE, KeyCreators.anyone());
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return send(method, path, "127.0.0.1:" + api.port());
    }

    private HttpResponse<String> send(String method, String path, String host) throws Exception {
        return send(method, path, host, "");
    }

    private HttpResponse<String> send(String method, String path, String host, String body) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port())) {
            s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String raw = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(raw.substring(9, 12));
            return new Raw(status, raw.substring(raw.indexOf("\r\n\r\n") + 4));
        }
    }

    /** The status and body of a raw exchange (a Host header HttpClient would not send). */
    private record Raw(int statusCode, String body) implements HttpResponse<String> {
        public HttpRequest request() { return null; }
        public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return null; }
        public Optional<javax.net.ssl.SSLSession> sslSession() { return Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }

    private String sig(KeyPair who, H256 keyId) {
        return Hex.encode(Ecdsa.sign(who.secret(), keyId).toBytes());
    }

    private String address(KeyPair who) {
        return "0x" + Hex.encode(who.address().toBytes());
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(trail.file())) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals("request")) out.add(n);
        }
        return out;
    }

    private JsonNode onlyLine() throws Exception {
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    private void assertVerifies() throws Exception {
        trail.close();
        AuditVerifier.Report r = AuditVerifier.verify(trail.file(), Optional.of(new NodeId(node.publicKey())));
        assertThat(r.ok()).as(r.reason()).isTrue();
    }

    private static void assertLine(JsonNode line, String operation, String key, String requester, String credential, String outcome, int status) {
        assertThat(line.get("session").isNull()).as("no session").isTrue();
        assertThat(line.get("role").asText()).isEqualTo("entry");
        assertThat(line.get("request").asText()).hasSize(64);
        assertThat(line.get("time").asText()).isNotEmpty();
        assertThat(line.get("operation").isNull() ? null : line.get("operation").asText()).isEqualTo(operation);
        assertThat(line.get("key").isNull() ? null : line.get("key").asText()).isEqualTo(key);
        assertThat(line.get("requester").isNull() ? null : line.get("requester").asText()).isEqualTo(requester);
        assertThat(line.get("credential").isNull() ? null : line.get("credential").asText()).isEqualTo(credential);
        assertThat(line.get("outcome").asText()).isEqualTo(outcome);
        assertThat(line.get("status").asInt()).isEqualTo(status);
    }

    @Test
    void sec29_aMalformedRequestIsOneLine() throws Exception {
        start();
        assertThat(send("GET", "/shadow/zz").statusCode()).isEqualTo(400);
        assertLine(onlyLine(), null, null, null, null, "invalid", 400);
        assertVerifies();
    }

    @Test
    void sec29_aRequestWithAHostNotAllowedIsOneLine() throws Exception {
        start();
        assertThat(send("GET", "/server/" + KEY.toHex() + "/" + sig(requester, KEY), "evil.example:80").statusCode()).isEqualTo(403);
        assertLine(onlyLine(), null, null, null, null, "host-refused", 403);
        assertVerifies();
    }

    @Test
    void sec29_aBadSignatureIsOneLineWithoutARequester() throws Exception {
        start();
        String bad = "ff".repeat(65);
        HttpResponse<String> r = send("GET", "/" + KEY.toHex() + "/" + bad);
        assertThat(r.statusCode()).isEqualTo(400);
        assertLine(onlyLine(), "retrieve_document_key", KEY.toHex(), null, "static", "INSUFFICIENT_REQUESTER_DATA", 400);
        assertThat(Files.readString(trail.file())).doesNotContain(bad);
        assertVerifies();
    }

    @Test
    void sec29_aRequestOverItsRateIsOneLine() throws Exception {
        start(new RequestLimits(new RequestLimits.Config(1, 0, 0), () -> 0L), Admission.Config.NONE, KeyCreators.anyone()); // a burst of 2
        String path = "/server/" + KEY.toHex() + "/" + sig(requester, KEY);
        assertThat(send("GET", path).statusCode()).isEqualTo(200);
        assertThat(send("GET", path).statusCode()).isEqualTo(200);
        assertThat(send("GET", path).statusCode()).isEqualTo(429);
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(3);
        assertLine(lines.get(0), "retrieve_server_key", KEY.toHex(), address(requester), "static", "ok", 200);
        assertLine(lines.get(2), "retrieve_server_key", KEY.toHex(), address(requester), "static", "rate-limited", 429);
        assertVerifies();
    }

    @Test
    void sec29_aRequestAdmissionShedsIsOneLine() throws Exception {
        start(new RequestLimits(RequestLimits.Config.NONE), new Admission.Config(1, 0, 0, 0, 0, 0, 0, 0), KeyCreators.anyone());
        String path = "/server/" + KEY.toHex() + "/" + sig(requester, KEY);
        assertThat(send("GET", path).statusCode()).isEqualTo(200);
        int second = send("GET", path).statusCode();
        int third = send("GET", path).statusCode();
        assertThat(List.of(second, third)).contains(429);
        List<JsonNode> lines = lines();
        JsonNode refused = lines.stream().filter(l -> l.get("status").asInt() == 429).findFirst().orElseThrow();
        assertLine(refused, "retrieve_server_key", KEY.toHex(), null, null, "rate-limited", 429);
        assertVerifies();
        // the first refusal from this source is a line of its own; a second one in the same interval is counted (SEC-35)
        assertThat(lines.size() + countedRefusals()).isEqualTo(3);
    }

    /** The refusals counted into {@code "type":"refusals"} lines (after {@link #assertVerifies} closed the trail). */
    private long countedRefusals() throws Exception {
        long n = 0;
        for (String line : Files.readAllLines(trail.file())) {
            JsonNode m = JSON.readTree(line);
            if (m.get("type").asText().equals("refusals")) n += m.get("count").asLong();
        }
        return n;
    }

    @Test
    void sec29_sec35_aFloodOfMalformedRequestsIsOneLineAndACount() throws Exception {
        start();
        int n = 40;
        for (int i = 0; i < n; i++) assertThat(send("GET", "/shadow/zz").statusCode()).isEqualTo(400);
        assertLine(onlyLine(), null, null, null, null, "invalid", 400);
        assertVerifies(); // closing writes the count before the final checkpoint
        List<JsonNode> counted = new ArrayList<>();
        for (String line : Files.readAllLines(trail.file())) {
            JsonNode m = JSON.readTree(line);
            if (m.get("type").asText().equals("refusals")) counted.add(m);
        }
        assertThat(counted).singleElement().satisfies(m -> {
            assertThat(m.get("source").asText()).isEqualTo("127.0.0.1");
            assertThat(m.get("outcome").asText()).isEqualTo("invalid");
            assertThat(m.get("count").asLong()).isEqualTo(n - 1);
        });
    }

    @Test
    void sec29_aGenerationKeyCreatorsRefuseIsOneLine() throws Exception {
        start(new RequestLimits(RequestLimits.Config.NONE), Admission.Config.NONE, KeyCreators.only(Set.of(KeyPair.random().address())));
        assertThat(send("POST", "/shadow/" + KEY.toHex() + "/" + sig(requester, KEY) + "/1").statusCode()).isEqualTo(403);
        assertLine(onlyLine(), "generate_server_key", KEY.toHex(), address(requester), "static", "ACCESS_DENIED", 403);
        assertVerifies();
    }

    @Test
    void sec29_endpoint4AnsweredWithoutASessionIsOneLine() throws Exception {
        start();
        HttpResponse<String> r = send("GET", "/server/" + KEY.toHex() + "/" + sig(requester, KEY));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("\"0x" + serverKey.toHex() + "\"");
        assertLine(onlyLine(), "retrieve_server_key", KEY.toHex(), address(requester), "static", "ok", 200);
        assertVerifies();
    }

    @Test
    void sec29_anAdministrativeRequestIsOneLine() throws Exception {
        start();
        String s = "aa".repeat(65);
        String path = "/admin/servers_set_change/" + s + "/" + s;
        HttpResponse<String> r = send("POST", path, "127.0.0.1:" + api.port(), "[\"0x" + node.publicKey().toHex() + "\"]");
        assertThat(r.statusCode()).isEqualTo(403);
        assertLine(onlyLine(), "servers_set_change", null, null, null, "ACCESS_DENIED", 403);
        assertVerifies();
    }

    @Test
    void sec29_aFailureTheSessionsRecordedGetsNoSecondLine_anUnrecordedOneGetsItsLine() throws Exception {
        start();
        String path = "/" + KEY.toHex() + "/" + sig(requester, KEY);
        retrievalFailure = SecretStoreException.of(Kind.ACCESS_DENIED).audited();
        assertThat(send("GET", path).statusCode()).isEqualTo(403);
        assertThat(lines()).as("the session's line is the request's line on this node").isEmpty();
        retrievalFailure = SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST);
        assertThat(send("GET", path).statusCode()).isEqualTo(500);
        assertLine(onlyLine(), "retrieve_document_key", KEY.toHex(), address(requester), "static", "TOO_EARLY_FOR_REQUEST", 500);
        assertVerifies();
    }

    @Test
    void sec29_failClosed_endpoint4sServerKeyIsWithheldWhenItsLineCannotBeWritten() throws Exception {
        start();
        failing.set(true);
        HttpResponse<String> r = send("GET", "/server/" + KEY.toHex() + "/" + sig(requester, KEY));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("Database error: audit trail cannot be written").doesNotContain(serverKey.toHex());
        failing.set(false);
        assertThat(send("GET", "/server/" + KEY.toHex() + "/" + sig(requester, KEY)).statusCode()).isEqualTo(200);
        assertThat(lines()).hasSize(1);
        assertVerifies();
    }

    @Test
    void sec29_failClosed_aRefusalWhoseLineCannotBeWrittenIsTheSameStorageError() throws Exception {
        start();
        failing.set(true);
        HttpResponse<String> r = send("GET", "/" + KEY.toHex() + "/" + "ff".repeat(65));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("Database error: audit trail cannot be written");
    }

    /** Endpoint 4 from "metadata", every other endpoint fails; the administrative ones are refused without admin_public. */
    private final class FakeKeyServer implements KeyServer {
        private <T> CompletionStage<T> refuse() {
            return CompletableFuture.failedFuture(SecretStoreException.of(Kind.ACCESS_DENIED));
        }

        @Override
        public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester r, long threshold) {
            return refuse();
        }

        @Override
        public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester r, PublicPoint c, PublicPoint e) {
            return refuse();
        }

        @Override
        public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester r, long threshold) {
            return refuse();
        }

        @Override
        public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester r) {
            return CompletableFuture.completedFuture(serverKey);
        }

        @Override
        public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester r) {
            return CompletableFuture.failedFuture(retrievalFailure);
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester r) {
            return refuse();
        }

        @Override
        public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester r, H256 m) {
            return refuse();
        }

        @Override
        public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester r, H256 m) {
            return refuse();
        }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] o, byte[] n, Set<NodeId> set) {
            return refuse();
        }
    }
}
