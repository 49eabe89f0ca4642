package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.tls.DevelopmentCa;
import dev.secretstore.node.http.HttpApi;
import dev.secretstore.node.testing.TestTls;
import dev.secretstore.protocol.AvailabilityStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ops listener on the edge layer (issue #15): its fixed caps and deadlines (SEC-34), and HTTPS with client certificates. */
class OpsServerEdgeTest {
    private final NodeMetrics metrics = new NodeMetrics();
    private final NodeMetrics.Gauges gauges = new NodeMetrics.Gauges(1, 0, 0, true, new AvailabilityStatus().snapshot(),
            List.of("0x" + "a1".repeat(64)), "ok");
    private final List<Socket> sockets = new ArrayList<>();
    private OpsServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (server != null) server.close();
    }

    private Socket open(String source, String request) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        s.setSoTimeout(5_000); // a failure bound only
        if (!request.isEmpty()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        return s;
    }

    private String raw(String request) throws IOException {
        try (Socket s = open("127.0.0.1", request)) {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean readsToEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /**
     * SEC-34 (issue #15): 200 slow or silent connections from 127.0.0.2 against /health. The ops listener's fixed
     * per-address cap (16) refuses the surplus, the 2 s header deadline closes the admitted ones (EOF), and an honest
     * scraper on 127.0.0.1 gets every answer meanwhile.
     */
    @Test
    void sec34_slowClientsFromOneAddressDoNotSilenceHealth() throws Exception {
        Duration second = Duration.ofSeconds(1);
        server = new OpsServer(new InetSocketAddress("127.0.0.1", 0), metrics, () -> gauges, null,
                OpsServer.limits(HttpApi.defaultLimits().withTimeouts(Duration.ofSeconds(2), second, second)), null);
        metrics.listener(OpsServer.LISTENER, server::stats);
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 200; i++) slow.add(open("127.0.0.2", i % 2 == 0 ? "GET /hea" : ""));
        for (int i = 0; i < 30; i++) {
            String r = raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(r).as("honest request %d", i).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\n\r\n{\"status\":\"ok\",");
        }
        assertThat(server.stats().refusedPerSource()).isEqualTo(200 - OpsServer.MAX_CONNECTIONS_PER_ADDRESS);
        for (Socket s : slow) assertThat(readsToEof(s)).as("slow connection closed").isTrue();
        assertThat(server.stats().timedOut()).isGreaterThanOrEqualTo(OpsServer.MAX_CONNECTIONS_PER_ADDRESS);
        String text = raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(text).contains("secretstore_http_connections_refused_total{listener=\"ops\",reason=\"per_address\"} 184\n")
                .contains("secretstore_http_connections_refused_total{listener=\"ops\",reason=\"total\"} 0\n")
                .contains("secretstore_http_timeouts_total{listener=\"ops\"} " + server.stats().timedOut() + "\n")
                .contains("secretstore_http_connections_open{listener=\"ops\"} 1\n")
                .contains("secretstore_http_busy_total{listener=\"ops\"} 0\n");
    }

    /** SEC-34: the ops listener takes bodies of at most 4096 bytes (413) and heads within the configured size (431). */
    @Test
    void sec34_oversizedRequestsAreRefused() throws Exception {
        server = new OpsServer(new InetSocketAddress("127.0.0.1", 0), metrics, () -> gauges, null,
                OpsServer.limits(HttpApi.defaultLimits().withSizes(2048, 1 << 20)), null);
        assertThat(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + "p".repeat(3000) + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(raw("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4097\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 413 Request Entity Too Large\r\n");
        assertThat(raw("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd"))
                .startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
    }

    /**
     * SEC-34 (issue #15): ops over HTTPS with client-certificate verification: a client holding a certificate of the
     * configured CA is served; one without a certificate, or with one of another CA, is refused in the handshake.
     */
    @Test
    void sec34_opsOverTlsRequiresAClientCertificateOfTheConfiguredCa() throws Exception {
        TestTls tls = new TestTls(dir, "node");
        DevelopmentCa operators = DevelopmentCa.create("operators");
        Path operatorsCa = dir.resolve("operators.pem");
        operators.writeCertificate(operatorsCa);
        server = new OpsServer(new InetSocketAddress("127.0.0.1", 0), metrics, () -> gauges, null,
                OpsServer.limits(HttpApi.defaultLimits()), dev.secretstore.http.server.ReloadingTls.load(tls.files.requiringClientCertificates(operatorsCa)));
        assertThat(server.secure()).isTrue();
        HttpRequest health = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/health"))
                .timeout(Duration.ofSeconds(5)).build();

        HttpClient scraper = TestTls.client(tls.ca, operators.issueLocal("prometheus"));
        HttpResponse<String> ok = scraper.send(health, HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).startsWith("{\"status\":\"ok\",");

        assertThatThrownBy(() -> TestTls.client(tls.ca, null).send(health, HttpResponse.BodyHandlers.ofString()))
                .as("no client certificate").isInstanceOf(IOException.class);
        DevelopmentCa stranger = DevelopmentCa.create("stranger");
        assertThatThrownBy(() -> TestTls.client(tls.ca, stranger.issueLocal("intruder")).send(health, HttpResponse.BodyHandlers.ofString()))
                .as("a certificate of another CA").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> TestTls.client(stranger, operators.issueLocal("prometheus")).send(health, HttpResponse.BodyHandlers.ofString()))
                .as("a server certificate the client does not trust").isInstanceOf(IOException.class);
    }
}
