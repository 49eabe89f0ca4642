package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP API on the edge layer (issue #15): Parity's empty 400 for targets that are not paths, the listener's
 * limits (SEC-34: slow and idle clients closed by their deadlines, the per-address cap, 431 and 413), and answers
 * built off the thread that completes the session.
 */
class HttpApiEdgeTest {
    private static final String ID = "0000000000000000000000000000000000000000000000000000000000000001";
    private final KeyPair requester = KeyPair.random();
    private final String sig = Hex.encode(Ecdsa.sign(requester.secret(), H256.fromHex(ID)).toBytes());
    private final PublicPoint serverKey = SecretScalar.random().mulG();
    private final List<String> observed = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private volatile ScheduledExecutorService loop;
    private HttpApi api;

    /** Answers endpoint 4 with {@link #serverKey}, from {@link #loop} when set (as the node's cluster loop does). */
    private KeyServer keyServer() {
        return (KeyServer) Proxy.newProxyInstance(KeyServer.class.getClassLoader(), new Class<?>[] {KeyServer.class}, (p, m, args) -> {
            if (!m.getName().equals("retrieveServerKey")) return CompletableFuture.failedFuture(SecretStoreException.of(SecretStoreException.Kind.INTERNAL));
            if (loop == null) return CompletableFuture.completedFuture(serverKey);
            CompletableFuture<PublicPoint> later = new CompletableFuture<>();
            loop.schedule(() -> later.complete(serverKey), 20, TimeUnit.MILLISECONDS);
            return later;
        });
    }

    private void start(CorsPolicy cors, ServerLimits limits) throws Exception {
        api = new HttpApi(keyServer(), new InetSocketAddress("127.0.0.1", 0), cors, HostAllowList.defaults(), false,
                new RequestLimits(RequestLimits.Config.NONE), Admission.none(), KeyCreators.anyone(),
                (op, status, nanos) -> observed.add(op + " " + status + " " + Thread.currentThread().getName()),
                new RequesterCheck(RequesterCheck.Settings.parityCompatible(HttpApi.STANDALONE_CLUSTER), WallClock.SYSTEM, new ReplayGuard()),
                limits, (ReloadingTls) null);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (api != null) api.close();
        if (loop != null) loop.shutdownNow();
    }

    /** Writes {@code request} from a socket bound to {@code source} and returns the socket, response unread. */
    private Socket open(String source, String request) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", api.port()));
        s.setSoTimeout(5_000); // a failure bound only: every assertion is about answers, not times
        if (!request.isEmpty()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        return s;
    }

    /** The whole response to one raw request sent with {@code Connection: close}, byte for byte. */
    private String raw(String requestLine, String headers) throws IOException {
        try (Socket s = open("127.0.0.1", requestLine + "\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n")) {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    private static List<String> headerLines(String response) {
        String head = response.substring(response.indexOf("\r\n") + 2, response.indexOf("\r\n\r\n"));
        return List.of(head.split("\r\n"));
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /**
     * Issue #15: targets that are not a path get Parity's empty 400 (the JDK server answered {@code //} and {@code /%}
     * with its own HTML page): status line, Content-Length 0, no Content-Type, no body.
     */
    @ParameterizedTest
    @ValueSource(strings = {"//", "/%", "/%zz", "/%4", "/server/%zz", "/%ff%fe", "*", "server/" + ID, "http://127.0.0.1/server/" + ID})
    void malformedTargetsGetParitysEmpty400(String target) throws Exception {
        start(CorsPolicy.none(), HttpApi.defaultLimits());
        String r = raw("GET " + target + " HTTP/1.1", "");
        assertThat(statusLine(r)).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(headerLines(r)).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("content-length: 0"));
        assertThat(headerLines(r)).noneSatisfy(h -> assertThat(h.toLowerCase()).startsWith("content-type"));
        assertThat(body(r)).isEmpty();
        assertThat(observed).singleElement().asString().startsWith("invalid 400 ");
    }

    /** The 400 of a malformed target carries the CORS headers any 400 gets for an allowed origin, and nothing else. */
    @Test
    void malformedTargetsKeepTheCorsHeadersOfA400() throws Exception {
        start(CorsPolicy.of(List.of("https://app.example")), HttpApi.defaultLimits());
        String r = raw("GET // HTTP/1.1", "Origin: https://app.example\r\n");
        assertThat(statusLine(r)).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(headerLines(r)).contains("Access-Control-Allow-Origin: https://app.example", "Vary: Origin");
        assertThat(body(r)).isEmpty();
    }

    /**
     * SEC-28: the session completes on the cluster loop; its audit line, observer call and response are made on the
     * listener's own threads, never on the loop.
     */
    @Test
    void answersAreBuiltOffTheThreadThatCompletesTheSession() throws Exception {
        loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cluster-loop-test"));
        start(CorsPolicy.none(), HttpApi.defaultLimits());
        String r = raw("GET /server/" + ID + "/" + sig + " HTTP/1.1", "");
        assertThat(statusLine(r)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(body(r)).isEqualTo("\"0x" + serverKey.toHex() + "\"");
        assertThat(observed).singleElement().asString().startsWith("retrieve_server_key 200 ").endsWith(" http-api-finish");
    }

    /** SEC-34: a request head over the limit is refused with 431, a body over it with 413, before any handler runs. */
    @Test
    void sec34_oversizedHeadersGet431AndOversizedBodies413() throws Exception {
        start(CorsPolicy.none(), HttpApi.defaultLimits().withSizes(4096, 2048));
        String big = raw("GET /server/" + ID + "/" + sig + " HTTP/1.1", "X-Padding: " + "a".repeat(5000) + "\r\n");
        assertThat(statusLine(big)).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
        assertThat(body(big)).isEmpty();
        String declared = raw("POST /admin/refresh_shares/" + sig + " HTTP/1.1", "Content-Length: 2049\r\n");
        assertThat(statusLine(declared)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        try (Socket s = open("127.0.0.1", "POST /admin/refresh_shares/" + sig + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + "800\r\n" + "[".repeat(2048) + "\r\n" + "1\r\n[\r\n0\r\n\r\n")) {
            String chunked = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(statusLine(chunked)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        }
        assertThat(observed).as("no request reached the handler").isEmpty();
    }

    /**
     * SEC-34 (issue #15, slowloris): 200 connections from 127.0.0.2, half sending a partial request line and then
     * nothing, half sending nothing, plus keep-alive connections from 127.0.0.3 that go idle. The per-address cap
     * (16) refuses the surplus at once; the admitted slow ones are closed by the 2 s header deadline and the idle ones
     * by the 1 s idle deadline (each sees EOF); an honest client on 127.0.0.1 gets every answer meanwhile.
     */
    @Test
    void sec34_slowAndIdleClientsFromOneAddressNeitherStarveOthersNorStayOpen() throws Exception {
        Duration second = Duration.ofSeconds(1);
        start(CorsPolicy.none(), HttpApi.defaultLimits().withTimeouts(Duration.ofSeconds(2), second, second).withConnections(1024, 16));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 200; i++) slow.add(open("127.0.0.2", i % 2 == 0 ? "GET /serv" : ""));
        String honest = "GET /server/" + ID + "/" + sig + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = open("127.0.0.3", honest);
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK\r\n");
            idle.add(s);
        }
        for (int i = 0; i < 30; i++) {
            try (Socket s = open("127.0.0.1", honest.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"))) {
                String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(statusLine(r)).as("honest request %d", i).isEqualTo("HTTP/1.1 200 OK");
                assertThat(body(r)).isEqualTo("\"0x" + serverKey.toHex() + "\"");
            }
        }
        assertThat(api.stats().refusedPerSource()).as("the per-address cap refused the surplus").isEqualTo(200 - 16);
        for (Socket s : slow) assertThat(readsToEof(s)).as("slow connection closed").isTrue();
        for (Socket s : idle) assertThat(readsToEof(s)).as("idle connection closed").isTrue();
        assertThat(api.stats().timedOut()).as("closed by deadlines, not refused").isGreaterThanOrEqualTo(16 + 4);
        assertThat(observed).filteredOn(o -> o.startsWith("retrieve_server_key 200")).hasSize(34);
    }

    /**
     * SEC-34 (issue #15): the HTTP API over HTTPS with a development CA's certificate: a client trusting that CA gets
     * the same answer as over plain HTTP; one trusting another CA is refused in the handshake; plain HTTP sent to the
     * TLS port gets no HTTP answer, the connection is closed.
     */
    @Test
    void sec34_httpsWithTheDevelopmentCa(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        dev.secretstore.node.testing.TestTls tls = new dev.secretstore.node.testing.TestTls(dir, "node");
        api = new HttpApi(keyServer(), new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), HostAllowList.defaults(), false,
                new RequestLimits(RequestLimits.Config.NONE), Admission.none(), KeyCreators.anyone(), (op, status, nanos) -> { },
                new RequesterCheck(RequesterCheck.Settings.parityCompatible(HttpApi.STANDALONE_CLUSTER), WallClock.SYSTEM, new ReplayGuard()),
                HttpApi.defaultLimits(), tls.load());
        assertThat(api.secure()).isTrue();
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + api.port() + "/server/" + ID + "/" + sig)).timeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpResponse<String> ok = dev.secretstore.node.testing.TestTls.client(tls.ca, null)
                .send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("\"0x" + serverKey.toHex() + "\"");
        dev.secretstore.http.tls.DevelopmentCa other = dev.secretstore.http.tls.DevelopmentCa.create("other");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.secretstore.node.testing.TestTls.client(other, null)
                .send(get, java.net.http.HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        try (Socket s = open("127.0.0.1", "GET /server/" + ID + "/" + sig + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
            byte[] answer;
            try {
                answer = s.getInputStream().readAllBytes();
            } catch (SocketException reset) {
                answer = new byte[0];
            }
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        }
    }

    /**
     * SEC-37 on the edge layer: the Host check compares with the address the listener was bound to. Bound to the
     * wildcard, any IP literal names this server (a rebinding attack needs a host name); bound to 127.0.0.1, another
     * machine's literal does not. A host name is refused either way.
     */
    @Test
    void sec37_theHostCheckSeesTheBoundAddressWildcardIncluded() throws Exception {
        api = new HttpApi(keyServer(), new InetSocketAddress("0.0.0.0", 0), CorsPolicy.none(), false);
        assertThat(api.address().getAddress().isAnyLocalAddress()).isTrue();
        String get = "GET /server/" + ID + "/" + sig + " HTTP/1.1\r\nConnection: close\r\nHost: ";
        try (Socket s = open("127.0.0.1", get + "10.1.2.3:" + api.port() + "\r\n\r\n")) {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK\r\n");
        }
        try (Socket s = open("127.0.0.1", get + "rebound.example\r\n\r\n")) {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 403 Forbidden\r\n");
        }
        api.close();
        api = new HttpApi(keyServer(), new InetSocketAddress("127.0.0.1", 0), CorsPolicy.none(), false);
        try (Socket s = open("127.0.0.1", get + "10.1.2.3:" + api.port() + "\r\n\r\n")) {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 403 Forbidden\r\n");
        }
    }

    /** Reads one response (headers and a Content-Length body) from a keep-alive connection. */
    static String readResponse(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("EOF in response head: " + sb);
            sb.append((char) b);
        }
        String head = sb.toString();
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        sb.append(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1));
        return sb.toString();
    }

    /** True when the server closed the connection: EOF (or a reset) before the socket's timeout, and no byte of an answer. */
    static boolean readsToEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the server: closed too
        }
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
