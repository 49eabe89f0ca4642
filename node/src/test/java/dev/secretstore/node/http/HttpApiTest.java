package dev.secretstore.node.http;

import dev.secretstore.http.CorsPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP adapter over real sockets: bodies and statuses byte for byte (http-api.md §6–§8), CORS (§10). */
class HttpApiTest {
    private static final String ID = "0000000000000000000000000000000000000000000000000000000000000001";
    private final KeyPair requester = KeyPair.random();
    private final String sig = Hex.encode(Ecdsa.sign(requester.secret(), H256.fromHex(ID)).toBytes());
    private final PublicPoint serverKey = SecretScalar.random().mulG();
    private final FakeKeyServer fake = new FakeKeyServer();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpApi api;

    private void start(CorsPolicy cors, boolean strict) throws Exception {
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), cors, strict);
        api.start();
    }

    @AfterEach
    void stop() {
        if (api != null) api.close();
    }

    private HttpResponse<byte[]> send(String method, String path, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (origin != null) b.header("Origin", origin);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void generateServerKeyReturnsTheQuotedHexPoint() throws Exception {
        start(CorsPolicy.none(), false);
        HttpResponse<byte[]> r = send("POST", "/shadow/" + ID + "/" + sig + "/1", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("\"0x" + serverKey.toHex() + "\"");
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(fake.lastRequester.get().address()).isEqualTo(requester.address());
        assertThat(fake.lastThreshold.get()).isEqualTo(1);
    }

    @Test
    void storeReturnsAnEmpty200WithoutContentType() throws Exception {
        start(CorsPolicy.none(), false);
        String c = SecretScalar.random().mulG().toHex();
        String e = SecretScalar.random().mulG().toHex();
        HttpResponse<byte[]> r = send("POST", "/shadow/" + ID + "/" + sig + "/" + c + "/" + e, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).isEmpty();
    }

    @Test
    void shadowsAreTheSnakeCaseObjectInParitysOrder() throws Exception {
        start(CorsPolicy.none(), false);
        HttpResponse<byte[]> r = send("GET", "/shadow/" + ID + "/" + sig, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("{\"decrypted_secret\":\"0x" + serverKey.toHex() + "\",\"common_point\":\"0x" + serverKey.toHex()
                + "\",\"decrypt_shadows\":[\"0x0102\",\"0x0304\"]}");
    }

    @Test
    void sessionErrorsUseParitysStatusAndQuotedBody() throws Exception {
        start(CorsPolicy.none(), false);
        fake.failWith = SecretStoreException.of(Kind.ACCESS_DENIED);
        HttpResponse<byte[]> r = send("GET", "/server/" + ID + "/" + sig, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(Hex.encode(r.body())).isEqualTo("225c224163636573732064656e6965645c2222");
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
    }

    @Test
    void statusLineCarriesTheStandardReasonPhrase() throws Exception {
        start(CorsPolicy.none(), false);
        fake.failWith = SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE);
        try (Socket s = new Socket("127.0.0.1", api.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /shadow/" + ID + "/" + sig + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(statusLine).isEqualTo("HTTP/1.1 403 Forbidden");
        }
    }

    @Test
    void unparsableRequestIs400WithEmptyBodyAndReachesNoSession() throws Exception {
        start(CorsPolicy.none(), false);
        for (String path : List.of("/shadow/" + ID + "/" + sig + "/undefined", "/a/b", "/shadow/" + ID)) {
            HttpResponse<byte[]> r = send("POST", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(r.body()).isEmpty();
        }
        assertThat(fake.calls.get()).isZero();
    }

    @Test
    void unrecoverableSignatureIs400WithInsufficientRequesterData() throws Exception {
        start(CorsPolicy.none(), false);
        String bad = "00".repeat(64) + "00"; // r = 0
        HttpResponse<byte[]> r = send("GET", "/shadow/" + ID + "/" + bad, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).startsWith("\"\\\"Insufficient requester data: bad signature: ");
        assertThat(fake.calls.get()).isZero();
    }

    @Test
    void recoveryId27And28AreAnExtensionOffInStrictMode() throws Exception {
        String sig27 = sig.substring(0, 128) + String.format("%02x", Integer.parseInt(sig.substring(128), 16) + 27);
        start(CorsPolicy.none(), false);
        assertThat(send("GET", "/shadow/" + ID + "/" + sig27, null).statusCode()).isEqualTo(200);
        assertThat(fake.lastRequester.get().address()).isEqualTo(requester.address());
        api.close();
        start(CorsPolicy.none(), true);
        assertThat(send("GET", "/shadow/" + ID + "/" + sig27, null).statusCode()).isEqualTo(400);
    }

    @Test
    void corsDefaultRejectsForeignOriginsWith404() throws Exception {
        start(CorsPolicy.none(), false);
        HttpResponse<byte[]> r = send("POST", "/shadow/" + ID + "/" + sig + "/1", "https://evil.example");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEmpty();
        assertThat(fake.calls.get()).isZero();
        assertThat(send("POST", "/shadow/" + ID + "/" + sig + "/1", null).headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void allowedOriginIsEchoedOnSuccessAndOnErrors() throws Exception {
        start(CorsPolicy.of(List.of("https://app.example")), false);
        HttpResponse<byte[]> ok = send("POST", "/shadow/" + ID + "/" + sig + "/1", "https://app.example");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        fake.failWith = SecretStoreException.of(Kind.SERVER_KEY_ALREADY_GENERATED);
        HttpResponse<byte[]> err = send("POST", "/shadow/" + ID + "/" + sig + "/1", "https://app.example");
        assertThat(err.statusCode()).isEqualTo(400);
        assertThat(err.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(send("POST", "/shadow/" + ID + "/" + sig + "/1", "https://other.example").statusCode()).isEqualTo(404);
    }

    @Test
    void preflightIsAnsweredForAllowedOriginsOnly() throws Exception {
        start(CorsPolicy.of(List.of("https://*.example")), false);
        HttpRequest pre = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/shadow/" + ID + "/" + sig + "/1"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST").build();
        HttpResponse<byte[]> r = client.send(pre, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).contains("GET, POST, OPTIONS");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).contains("Origin, X-Requested-With, Content-Type, Accept, Secretstore-Authorization");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).contains("600");
        HttpRequest denied = HttpRequest.newBuilder(pre.uri()).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.other").header("Access-Control-Request-Method", "POST").build();
        assertThat(client.send(denied, HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(404);
        assertThat(send("OPTIONS", "/shadow/" + ID + "/" + sig, null).statusCode()).isEqualTo(400); // not a preflight
        assertThat(fake.calls.get()).isZero();
    }

    @Test
    void preflightIsOffInStrictMode() throws Exception {
        start(CorsPolicy.anyOrigin(), true);
        HttpRequest pre = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/shadow/" + ID + "/" + sig + "/1"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST").build();
        assertThat(client.send(pre, HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(400);
    }

    /** The whole response (status line, headers, body) to one raw request sent with {@code Connection: close}. */
    private String raw(String method, String path, String headers) throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    @Test
    void sec37_aForeignHostIsRefusedWith403BeforeAnySession() throws Exception {
        start(CorsPolicy.anyOrigin(), false);
        for (String host : List.of("evil.example", "evil.example:" + api.port(), "localhost.evil.example")) {
            String r = raw("POST", "/shadow/" + ID + "/" + sig + "/1", "Host: " + host + "\r\nOrigin: http://" + host + "\r\n");
            assertThat(statusLine(r)).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(r).containsIgnoringCase("Content-Type: text/plain; charset=utf-8");
            assertThat(r).doesNotContainIgnoringCase("Access-Control-Allow-Origin");
            assertThat(body(r)).isEqualTo("Host not allowed\n");
        }
        // a preflight from the rebound page is refused too, and an HTTP/1.1 request without Host
        String pre = raw("OPTIONS", "/shadow/" + ID + "/" + sig + "/1",
                "Host: evil.example\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
        assertThat(statusLine(pre)).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(statusLine(raw("GET", "/server/" + ID + "/" + sig, ""))).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(fake.calls.get()).isZero();
    }

    @Test
    void sec37_allowedHostsGetTheUnchangedAnswer() throws Exception {
        start(CorsPolicy.none(), false);
        String expected = "\"0x" + serverKey.toHex() + "\"";
        for (String host : List.of("127.0.0.1:" + api.port(), "127.0.0.1", "localhost", "LOCALHOST.:" + api.port(), "[::1]:" + api.port())) {
            String r = raw("GET", "/server/" + ID + "/" + sig, "Host: " + host + "\r\n");
            assertThat(statusLine(r)).as(host).isEqualTo("HTTP/1.1 200 OK");
            assertThat(body(r)).as(host).isEqualTo(expected);
        }
        assertThat(fake.calls.get()).isEqualTo(5);
        // the port must be the bound one
        assertThat(statusLine(raw("GET", "/server/" + ID + "/" + sig, "Host: 127.0.0.1:1\r\n"))).isEqualTo("HTTP/1.1 403 Forbidden");
    }

    @Test
    void sec37_configuredHostsAndStarAreServedAndPreflightStaysForAllowedHosts() throws Exception {
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.of(List.of("https://app.example")),
                dev.secretstore.http.HostAllowList.of(List.of("keys.example")), false,
                new RequestLimits(RequestLimits.Config.NONE), (op, status, nanos) -> { });
        api.start();
        assertThat(body(raw("GET", "/server/" + ID + "/" + sig, "Host: Keys.Example\r\n"))).isEqualTo("\"0x" + serverKey.toHex() + "\"");
        String pre = raw("OPTIONS", "/shadow/" + ID + "/" + sig + "/1",
                "Host: keys.example\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n");
        assertThat(statusLine(pre)).isEqualTo("HTTP/1.1 204 No Content");
        assertThat(pre).containsIgnoringCase("Access-Control-Allow-Origin: https://app.example");
        assertThat(statusLine(raw("GET", "/server/" + ID + "/" + sig, "Host: evil.example\r\n"))).isEqualTo("HTTP/1.1 403 Forbidden");
        api.close();
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), dev.secretstore.http.HostAllowList.anyHost(),
                false, new RequestLimits(RequestLimits.Config.NONE), (op, status, nanos) -> { });
        api.start();
        assertThat(statusLine(raw("GET", "/server/" + ID + "/" + sig, "Host: evil.example\r\n"))).isEqualTo("HTTP/1.1 200 OK");
    }

    /** The refresh route passes the signature and key ids on and answers like endpoint 9: an empty 200, or Parity's error body. */
    @Test
    void refreshSharesAnswersLikeEndpoint9() throws Exception {
        start(CorsPolicy.none(), false);
        String adminSig = sig;
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/admin/refresh_shares/" + adminSig))
                .POST(HttpRequest.BodyPublishers.ofString("[\"0x" + ID + "\"]")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).isEmpty();
        assertThat(fake.refreshKeys.get()).containsExactly(H256.fromHex(ID));
        assertThat(Hex.encode(fake.refreshSignature.get())).isEqualTo(adminSig);
        fake.failWith = SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE);
        r = send("POST", "/admin/refresh_shares/" + adminSig, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(text(r)).isEqualTo("\"\\\"Consensus unreachable\\\"\"");
    }

    @Test
    void refreshSharesIsOffInParityStrictMode() throws Exception {
        start(CorsPolicy.none(), true);
        assertThat(send("POST", "/admin/refresh_shares/" + sig, null).statusCode()).isEqualTo(400);
        assertThat(fake.refreshKeys.get()).isNull();
    }

    /** Records calls and answers with fixed values or a configured error. */
    private final class FakeKeyServer implements KeyServer {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Requester> lastRequester = new AtomicReference<>();
        final AtomicReference<Long> lastThreshold = new AtomicReference<>();
        volatile SecretStoreException failWith;
        /** Generations (endpoint 1) answer when this completes: a test holds them in flight with it. */
        volatile CompletableFuture<Void> generationGate = CompletableFuture.completedFuture(null);

        private <T> CompletionStage<T> answer(Requester r, T value) {
            calls.incrementAndGet();
            lastRequester.set(r);
            return failWith != null ? CompletableFuture.failedFuture(failWith) : CompletableFuture.completedFuture(value);
        }

        @Override
        public CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester r, long threshold) {
            lastThreshold.set(threshold);
            CompletionStage<PublicPoint> answer = answer(r, serverKey);
            return generationGate.thenCompose(v -> answer);
        }

        @Override
        public CompletionStage<Void> storeDocumentKey(H256 keyId, Requester r, PublicPoint c, PublicPoint e) {
            return answer(r, null);
        }

        @Override
        public CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester r, long threshold) {
            return answer(r, new byte[] {9});
        }

        @Override
        public CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester r) {
            return answer(r, serverKey);
        }

        @Override
        public CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester r) {
            return answer(r, new byte[] {9});
        }

        @Override
        public CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester r) {
            return answer(r, new ShadowRetrieval(serverKey, serverKey, List.of(new byte[] {1, 2}, new byte[] {3, 4})));
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

        final AtomicReference<List<H256>> refreshKeys = new AtomicReference<>();
        final AtomicReference<byte[]> refreshSignature = new AtomicReference<>();

        @Override
        public CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds) {
            refreshSignature.set(signature);
            refreshKeys.set(keyIds);
            return answer(null, null);
        }
    }

    @Test
    void sec23_aRequesterOverItsRateGets429AndOthersAreServed() throws Exception {
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), false,
                new RequestLimits(new RequestLimits.Config(1, 0, 0), () -> 0L), // frozen clock: a burst of 2, no refill
                (op, status, nanos) -> statuses.add(op + " " + status));
        api.start();
        assertThat(send("GET", "/server/" + ID + "/" + sig, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/server/" + ID + "/" + sig, null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> r = send("GET", "/server/" + ID + "/" + sig, null);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(text(r)).isEqualTo("\"\\\"Too many requests\\\"\"");
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        KeyPair other = KeyPair.random();
        String otherSig = Hex.encode(Ecdsa.sign(other.secret(), H256.fromHex(ID)).toBytes());
        assertThat(send("GET", "/server/" + ID + "/" + otherSig, null).statusCode()).as("another requester").isEqualTo(200);
        assertThat(statuses).containsExactly("retrieve_server_key 200", "retrieve_server_key 200", "retrieve_server_key 429",
                "retrieve_server_key 200");
    }

    private final java.util.List<String> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void startWithAdmission(Admission admission, KeyCreators creators) throws Exception {
        api = new HttpApi(fake, new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), dev.secretstore.http.HostAllowList.defaults(),
                false, new RequestLimits(RequestLimits.Config.NONE), admission, creators,
                (op, status, nanos) -> statuses.add(op + " " + status));
        api.start();
    }

    /** A request sent from {@code source} (any 127/8 address is this machine's loopback on Linux), not yet read. */
    private Socket sendFrom(String source, String method, String path) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", api.port()));
        s.setSoTimeout(10_000);
        s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    private static String response(Socket s) throws Exception {
        try (s) {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private String rawFrom(String source, String method, String path) throws Exception {
        return response(sendFrom(source, method, path));
    }

    /** A signature over {@link #ID} by a fresh key: a requester nobody has seen, as a flood makes them. */
    private static String freshRequesterSignature() {
        return Hex.encode(Ecdsa.sign(KeyPair.random().secret(), H256.fromHex(ID)).toBytes());
    }

    private void awaitStatuses(long count) throws InterruptedException {
        for (int i = 0; i < 1000 && statuses.size() < count; i++) Thread.sleep(10);
        assertThat(statuses).hasSizeGreaterThanOrEqualTo((int) count);
    }

    @Test
    void sec35_aGenerationFloodWithFreshRequestersFromOneAddressGets429AndOtherAddressesAreServed() throws Exception {
        // 10 cost units/s, burst 20: two generations (10 each); frozen clock, no refill
        startWithAdmission(new Admission(new Admission.Config(10, 0, 0, 0, 0, 0, 0, 0), () -> 0L), KeyCreators.anyone());
        List<String> flood = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) flood.add(rawFrom("127.0.0.1", "POST", "/shadow/" + ID + "/" + freshRequesterSignature() + "/1"));
        assertThat(flood.subList(0, 2)).allSatisfy(r -> assertThat(statusLine(r)).isEqualTo("HTTP/1.1 200 OK"));
        assertThat(flood.subList(2, 12)).allSatisfy(r -> {
            assertThat(statusLine(r)).isEqualTo("HTTP/1.1 429 Too Many Requests");
            assertThat(r).containsIgnoringCase("Retry-After: 1");
            assertThat(body(r)).isEqualTo("\"\\\"Too many requests\\\"\"");
        });
        assertThat(fake.calls.get()).as("refused generations reach no session").isEqualTo(2);
        // refused before the signature is recovered: an unrecoverable one is 429, not 400
        assertThat(statusLine(rawFrom("127.0.0.1", "GET", "/shadow/" + ID + "/" + "00".repeat(65))))
                .isEqualTo("HTTP/1.1 429 Too Many Requests");
        // loopback is an address like any other: another one is served, with another requester
        KeyPair honest = KeyPair.random();
        String honestSig = Hex.encode(Ecdsa.sign(honest.secret(), H256.fromHex(ID)).toBytes());
        String r = rawFrom("127.0.0.2", "GET", "/shadow/" + ID + "/" + honestSig);
        assertThat(statusLine(r)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(fake.lastRequester.get().address()).isEqualTo(honest.address());
        assertThat(statuses).contains("generate_server_key 429");
    }

    @Test
    void sec35_aGenerationFloodFromManyAddressesGets503AndLeavesRetrievalCapacity() throws Exception {
        // 8 requests in flight of which at most 3 generations; no per-address limit to dodge
        startWithAdmission(new Admission(new Admission.Config(0, 0, 0, 0, 0, 0, 8, 3)), KeyCreators.anyone());
        fake.generationGate = new CompletableFuture<>();
        List<Socket> flood = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(sendFrom("127.0.0." + (10 + i), "POST", "/shadow/" + ID + "/" + freshRequesterSignature() + "/1"));
        }
        awaitStatuses(17); // 17 shed at once; 3 held in flight
        assertThat(statuses).containsOnly("generate_server_key 503");
        assertThat(fake.calls.get()).as("generations in flight").isEqualTo(3);
        for (int i = 0; i < 5; i++) {
            String r = rawFrom("127.0.0.200", "GET", "/shadow/" + ID + "/" + sig);
            assertThat(statusLine(r)).as("retrieval %d during the flood", i).isEqualTo("HTTP/1.1 200 OK");
        }
        fake.generationGate.complete(null);
        List<String> answers = new java.util.ArrayList<>();
        for (Socket s : flood) answers.add(response(s));
        assertThat(answers.stream().filter(a -> statusLine(a).equals("HTTP/1.1 200 OK"))).hasSize(3);
        List<String> shed = answers.stream().filter(a -> !statusLine(a).equals("HTTP/1.1 200 OK")).toList();
        assertThat(shed).hasSize(17).allSatisfy(a -> {
            assertThat(statusLine(a)).isEqualTo("HTTP/1.1 503 Service Unavailable");
            assertThat(a).containsIgnoringCase("Retry-After: 1");
            assertThat(a).containsIgnoringCase("Content-Type: application/json; charset=utf-8");
            assertThat(body(a)).isEqualTo("\"\\\"Server busy\\\"\"");
        });
    }

    @Test
    void sec35_onlyListedKeyCreatorsMayGenerateAndEveryoneMayRetrieve() throws Exception {
        KeyPair creator = KeyPair.random();
        String creatorSig = Hex.encode(Ecdsa.sign(creator.secret(), H256.fromHex(ID)).toBytes());
        startWithAdmission(Admission.none(), KeyCreators.only(Set.of(creator.address())));
        for (String path : List.of("/shadow/" + ID + "/" + sig + "/1", "/" + ID + "/" + sig + "/1")) {
            HttpResponse<byte[]> r = send("POST", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(text(r)).isEqualTo("\"\\\"Access denied\\\"\"");
        }
        assertThat(fake.calls.get()).isZero();
        assertThat(send("POST", "/shadow/" + ID + "/" + creatorSig + "/1", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/" + ID + "/" + creatorSig + "/1", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/shadow/" + ID + "/" + sig, null).statusCode()).isEqualTo(200);
        assertThat(fake.calls.get()).isEqualTo(3);
    }
}
