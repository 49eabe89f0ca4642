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
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SEC-32 at the HTTP edge: the {@code Secretstore-Authorization} header becomes the request's credential, a malformed,
 * expired or re-targeted one is refused with 400 before the key server is called, the legacy policy answers static
 * signatures with 403 where it requires a fresh authorization, and {@code GET /cluster} tells a requester what to sign.
 */
class HttpApiAuthorizationTest {
    private static final long NOW = 1_800_000_000L;
    private static final H256 CLUSTER = ClusterId.ofName("http-api-test");
    private static final H256 KEY = H256.fromHex("00000000000000000000000000000000000000000000000000000000000000a1");
    private static final H256 MESSAGE = H256.keccak("message".getBytes(StandardCharsets.UTF_8));
    private static final SecureRandom RNG = new SecureRandom();

    private final KeyPair requester = KeyPair.random();
    private final KeyPair stranger = KeyPair.random();
    private final PublicPoint point = SecretScalar.random().mulG();
    private final PublicPoint common = SecretScalar.random().mulG();
    private final PublicPoint encrypted = SecretScalar.random().mulG();
    private final RecordingKeyServer keyServer = new RecordingKeyServer();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpApi api;

    /** One HTTP endpoint (1–8) and what a fresh authorization for it binds. */
    private record Endpoint(Operation op, String method, String path, H256 params) {}

    private List<Endpoint> endpoints(String sig) {
        String k = KEY.toHex();
        return List.of(
                new Endpoint(Operation.GENERATE_SERVER_KEY, "POST", "/shadow/" + k + "/" + sig + "/1", Operation.thresholdParams(1)),
                new Endpoint(Operation.STORE_DOCUMENT_KEY, "POST", "/shadow/" + k + "/" + sig + "/" + common.toHex() + "/" + encrypted.toHex(),
                        Operation.storeParams(common, encrypted)),
                new Endpoint(Operation.GENERATE_DOCUMENT_KEY, "POST", "/" + k + "/" + sig + "/2", Operation.thresholdParams(2)),
                new Endpoint(Operation.RETRIEVE_SERVER_KEY, "GET", "/server/" + k + "/" + sig, Operation.NO_PARAMS),
                new Endpoint(Operation.RETRIEVE_DOCUMENT_KEY, "GET", "/" + k + "/" + sig, Operation.NO_PARAMS),
                new Endpoint(Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, "GET", "/shadow/" + k + "/" + sig, Operation.NO_PARAMS),
                new Endpoint(Operation.SIGN_SCHNORR, "GET", "/schnorr/" + k + "/" + sig + "/" + MESSAGE.toHex(), MESSAGE),
                new Endpoint(Operation.SIGN_ECDSA, "GET", "/ecdsa/" + k + "/" + sig + "/" + MESSAGE.toHex(), MESSAGE));
    }

    private String staticSig(KeyPair who) {
        return Hex.encode(Ecdsa.sign(who.secret(), KEY).toBytes());
    }

    private void start(LegacyPolicy legacy, boolean strict) throws Exception {
        RequesterCheck check = new RequesterCheck(new RequesterCheck.Settings(CLUSTER, legacy, Duration.ofSeconds(30), Duration.ofSeconds(300)),
                () -> NOW, new ReplayGuard(16));
        api = new HttpApi(keyServer, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), HostAllowList.defaults(), strict,
                new RequestLimits(RequestLimits.Config.NONE), Admission.none(), KeyCreators.anyone(), (op, status, nanos) -> { }, check);
        api.start();
    }

    @AfterEach
    void stop() {
        if (api != null) api.close();
    }

    private static byte[] nonce() {
        byte[] n = new byte[Authorization.NONCE_LENGTH];
        RNG.nextBytes(n);
        return n;
    }

    private String header(H256 cluster, Operation op, H256 keyId, H256 params, long expires) {
        return Authorization.sign(requester, cluster, op, keyId, params, expires, nonce()).toHeader();
    }

    private String header(Endpoint e) {
        return header(CLUSTER, e.op(), KEY, e.params(), NOW + 60);
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header(Authorization.HEADER, authorization);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SEC-32: with the header, the key server gets the fresh credential and the header's signer; the path signature is ignored. */
    @Test
    void sec32_theHeadersCredentialReachesTheKeyServerForEveryEndpoint() throws Exception {
        start(LegacyPolicy.ALL, false);
        for (Endpoint e : endpoints(staticSig(stranger))) {
            String h = header(e);
            HttpResponse<String> r = send(e.method(), e.path(), h);
            assertThat(r.statusCode()).as(e.op() + " " + r.body()).isEqualTo(200);
            Requester got = keyServer.last();
            assertThat(got.address()).as(e.op().name()).isEqualTo(requester.address());
            assertThat(got.publicKey()).isEqualTo(requester.publicKey());
            assertThat(got.credential()).isEqualTo(new Credential.Fresh(Authorization.parseHeader(h)));
        }
        assertThat(keyServer.calls()).isEqualTo(8);
    }

    /** Without the header the static signature is the credential, as in Parity (policy all). */
    @Test
    void sec32_withoutTheHeaderThePathSignatureIsAStaticCredential() throws Exception {
        start(LegacyPolicy.ALL, false);
        String sig = staticSig(requester);
        HttpResponse<String> r = send("GET", "/" + KEY.toHex() + "/" + sig, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(keyServer.last().address()).isEqualTo(requester.address());
        assertThat(keyServer.last().credential()).isInstanceOf(Credential.Static.class);
        assertThat(Hex.encode(((Credential.Static) keyServer.last().credential()).signature().toBytes())).isEqualTo(sig);
    }

    @Test
    void sec32_aMalformedHeaderIs400WithTheReasonAndNoSession() throws Exception {
        start(LegacyPolicy.ALL, false);
        String path = "/shadow/" + KEY.toHex() + "/" + staticSig(requester);
        for (String bad : List.of("v2 expires=1", "", "v1 expires=1800000060 nonce=00 signer=0x00 signature=00",
                header(CLUSTER, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS, NOW + 60).replace("nonce=", "nonce=zz"))) {
            HttpResponse<String> r = send("GET", path, bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).startsWith("\"\\\"Insufficient requester data: bad authorization: ");
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        }
        assertThat(send("GET", path, "v2 expires=1").body()).as("docs/auth.md §5").isEqualTo("\"\\\"Insufficient requester data: bad "
                + "authorization: authorization header must read \\\"v1 expires=<unix seconds> nonce=<32 hex> signer=0x<40 hex> "
                + "signature=<130 hex>\\\"\\\"\"");
        HttpResponse<String> two = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header(Authorization.HEADER, header(CLUSTER, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS, NOW + 60))
                .header(Authorization.HEADER, header(CLUSTER, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS, NOW + 60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(two.statusCode()).isEqualTo(400);
        assertThat(two.body()).isEqualTo("\"\\\"Insufficient requester data: bad authorization: more than one Secretstore-Authorization header\\\"\"");
        assertThat(keyServer.calls()).isZero();
    }

    /** SEC-32: expired, too long-lived, and re-targeted (operation, message hash, key, threshold, cluster) authorizations never reach a session. */
    @Test
    void sec32_expiredAndRetargetedAuthorizationsAre400AndTheKeyServerIsNotCalled() throws Exception {
        start(LegacyPolicy.ALL, false);
        String sig = staticSig(requester);
        String k = KEY.toHex();
        String ecdsa = "/ecdsa/" + k + "/" + sig + "/" + MESSAGE.toHex();
        H256 otherKey = H256.keccak(KEY.toBytes());
        H256 otherMessage = H256.keccak(MESSAGE.toBytes());
        List<String[]> cases = List.of(
                new String[] {"expired beyond the skew", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, KEY, MESSAGE, NOW - 31), "expired"},
                new String[] {"beyond the lifetime", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, KEY, MESSAGE, NOW + 331), "ahead"},
                new String[] {"other operation", ecdsa, header(CLUSTER, Operation.SIGN_SCHNORR, KEY, MESSAGE, NOW + 60), ""},
                new String[] {"other message hash", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, KEY, otherMessage, NOW + 60), ""},
                new String[] {"other key", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, otherKey, MESSAGE, NOW + 60), ""},
                new String[] {"foreign cluster", ecdsa, header(ClusterId.ofName("other"), Operation.SIGN_ECDSA, KEY, MESSAGE, NOW + 60), ""},
                new String[] {"other threshold", "/shadow/" + k + "/" + sig + "/1",
                        header(CLUSTER, Operation.GENERATE_SERVER_KEY, KEY, Operation.thresholdParams(2), NOW + 60), ""},
                new String[] {"shadow retrieval for endpoint 5", "/" + k + "/" + sig,
                        header(CLUSTER, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS, NOW + 60), ""});
        for (String[] c : cases) {
            HttpResponse<String> r = send(c[1].startsWith("/shadow/") && c[1].endsWith("/1") ? "POST" : "GET", c[1], c[2]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).startsWith("\"\\\"Insufficient requester data: bad authorization: ").contains(c[3]);
        }
        assertThat(keyServer.calls()).isZero();
        // the edges of the window are accepted
        assertThat(send("GET", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, KEY, MESSAGE, NOW - 30)).statusCode()).isEqualTo(200);
        assertThat(send("GET", ecdsa, header(CLUSTER, Operation.SIGN_ECDSA, KEY, MESSAGE, NOW + 330)).statusCode()).isEqualTo(200);
    }

    /**
     * SEC-32, legacy policy shadow-only: a static signature still generates server keys, stores document keys and
     * retrieves the server key and shadows; endpoints 3, 5, 7, 8 answer 403 with a JSON body naming the header; with
     * the header every endpoint works.
     */
    @Test
    void sec32_shadowOnlyRefusesStaticSignaturesWhereOneMemberWouldReadTheResult() throws Exception {
        start(LegacyPolicy.SHADOW_ONLY, false);
        for (Endpoint e : endpoints(staticSig(requester))) {
            HttpResponse<String> r = send(e.method(), e.path(), null);
            if (Set.of(1, 2, 4, 6).contains(e.op().code())) {
                assertThat(r.statusCode()).as(e.op() + " " + r.body()).isEqualTo(200);
            } else {
                assertFreshRequired(r, e.op(), "shadow-only");
            }
        }
        assertThat(keyServer.calls()).isEqualTo(4);
        for (Endpoint e : endpoints(staticSig(requester))) {
            assertThat(send(e.method(), e.path(), header(e)).statusCode()).as(e.op().name()).isEqualTo(200);
        }
        assertThat(keyServer.calls()).isEqualTo(12);
    }

    /** SEC-32, legacy policy none: every static signature is refused with 403; the header works everywhere. */
    @Test
    void sec32_noneRefusesEveryStaticSignature() throws Exception {
        start(LegacyPolicy.NONE, false);
        for (Endpoint e : endpoints(staticSig(requester))) {
            assertFreshRequired(send(e.method(), e.path(), null), e.op(), "none");
        }
        assertThat(keyServer.calls()).isZero();
        for (Endpoint e : endpoints(staticSig(requester))) {
            assertThat(send(e.method(), e.path(), header(e)).statusCode()).as(e.op().name()).isEqualTo(200);
        }
        assertThat(keyServer.calls()).isEqualTo(8);
    }

    private static void assertFreshRequired(HttpResponse<String> r, Operation op, String policy) throws Exception {
        assertThat(r.statusCode()).as(op.name()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        String text = new ObjectMapper().readTree(r.body()).asText(); // a JSON string, like every error body
        assertThat(text).startsWith("\"Fresh authorization required: ").endsWith("\"")
                .contains("legacy_requester_signatures = " + policy).contains("Secretstore-Authorization")
                .contains("operation " + op.code()).contains("0x" + CLUSTER.toHex());
    }

    /** SEC-32 discovery: GET /cluster reports the cluster id, the policy, the clock rules and the node's time. */
    @ParameterizedTest
    @EnumSource(LegacyPolicy.class)
    void sec32_getClusterDescribesWhatToSign(LegacyPolicy policy) throws Exception {
        start(policy, false);
        HttpResponse<String> r = send("GET", "/cluster", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(r.body()).isEqualTo("{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"legacy_requester_signatures\":\""
                + policy.configName() + "\",\"max_lifetime\":300,\"clock_skew\":30,\"time\":" + NOW + "}");
        JsonNode json = new ObjectMapper().readTree(r.body());
        assertThat(json.get("time").asLong()).isEqualTo(NOW);
        assertThat(send("POST", "/cluster", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/cluster/x", null).statusCode()).isEqualTo(400);
        assertThat(keyServer.calls()).isZero();
    }

    @Test
    void getClusterIsAnExtensionAndOffInParityStrictMode() throws Exception {
        start(LegacyPolicy.ALL, true);
        HttpResponse<String> r = send("GET", "/cluster", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEmpty();
    }

    /** SEC-29 with SEC-32: the audit line names the credential kind, never the signature or the header. */
    @Test
    void sec32_theAuditLineNamesTheCredentialKindButNoSignature() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage() == null ? String.valueOf(record.getMessage()) : record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger audit = Logger.getLogger("dev.secretstore.audit");
        audit.addHandler(capture);
        try {
            start(LegacyPolicy.SHADOW_ONLY, false);
            String sig = staticSig(requester);
            String h = header(CLUSTER, Operation.RETRIEVE_DOCUMENT_KEY, KEY, Operation.NO_PARAMS, NOW + 60);
            send("GET", "/" + KEY.toHex() + "/" + sig, h);
            send("GET", "/" + KEY.toHex() + "/" + sig, null);
            send("GET", "/shadow/" + KEY.toHex() + "/" + sig, null);
            String authSig = Hex.encode(Authorization.parseHeader(h).signature().toBytes());
            synchronized (lines) {
                assertThat(lines).hasSize(3);
                assertThat(lines.get(0)).contains("op=retrieve_document_key status=200").contains("requester=" + requester.address().toHex())
                        .contains("credential=fresh");
                assertThat(lines.get(1)).contains("op=retrieve_document_key error=FRESH_AUTHORIZATION_REQUIRED status=403")
                        .contains("credential=static");
                assertThat(lines.get(2)).contains("op=retrieve_shadows status=200").contains("credential=static");
                for (String line : lines) {
                    assertThat(line.toLowerCase(java.util.Locale.ROOT)).doesNotContain(sig).doesNotContain(authSig);
                }
            }
        } finally {
            audit.removeHandler(capture);
        }
    }

    /** Records the requester of every call and answers with fixed values. */
    private final class RecordingKeyServer implements KeyServer {
        private final List<Requester> requesters = Collections.synchronizedList(new ArrayList<>());

        int calls() {
            return requesters.size();
        }

        Requester last() {
            return requesters.get(requesters.size() - 1);
        }

        private <T> CompletionStage<T> answer(Requester r, T value) {
            requesters.add(r);
            return CompletableFuture.completedFuture(value);
        }

        @Override
        public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester r, long threshold) {
            return answer(r, point);
        }

        @Override
        public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester r, PublicPoint c, PublicPoint e) {
            return answer(r, null);
        }

        @Override
        public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester r, long threshold) {
            return answer(r, new byte[] {3});
        }

        @Override
        public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester r) {
            return answer(r, point);
        }

        @Override
        public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester r) {
            return answer(r, new byte[] {5});
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester r) {
            return answer(r, new ShadowRetrieval(point, point, List.of(new byte[] {6})));
        }

        @Override
        public CompletionStage<byte[]> signSchnorr(H256 keyId, Requester r, H256 hash) {
            return answer(r, new byte[] {7});
        }

        @Override
        public CompletionStage<byte[]> signEcdsa(H256 keyId, Requester r, H256 hash) {
            return answer(r, new byte[] {8});
        }

        @Override
        public CompletionStage<Void> changeServersSet(byte[] oldSig, byte[] newSig, Set<NodeId> newSet) {
            return answer(null, null);
        }
    }
}
