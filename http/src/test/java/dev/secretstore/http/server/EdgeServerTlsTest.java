package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.http.tls.DevelopmentCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-34 TLS on an EdgeServer, with certificates from the development CA written to disk as an operator would. */
class EdgeServerTlsTest {
    /** How long a reload may take to be seen: the files are re-checked at most once a second. */
    private static final Duration RELOAD_BOUND = Duration.ofSeconds(6);

    @TempDir
    Path dir;
    private final TestServers servers = new TestServers();
    private final List<HttpRequest> seen = new CopyOnWriteArrayList<>();
    private DevelopmentCa ca;
    private Path chain;
    private Path key;
    private Path caFile;

    @BeforeEach
    void files() throws Exception {
        ca = DevelopmentCa.create("test CA");
        chain = dir.resolve("node.pem");
        key = dir.resolve("node.key");
        caFile = dir.resolve("ca.pem");
        ca.writeCertificate(caFile);
    }

    @AfterEach
    void close() {
        servers.close();
    }

    private EdgeServer start(TlsFiles files) throws Exception {
        return servers.start(TestServers.relaxed(), ReloadingTls.load(files), r -> {
            seen.add(r);
            return CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", "secure".getBytes()));
        });
    }

    private static RawClient.Response get(SSLSocket s) throws IOException {
        RawClient c = new RawClient(s);
        c.send("GET /tls HTTP/1.1\r\nHost: localhost\r\n\r\n");
        return c.read();
    }

    @Test
    void sec34HandshakeWithAClientTrustingTheDevelopmentCa() throws Exception {
        DevelopmentCa.Issued leaf = ca.issueLocal("node");
        leaf.write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        assertThat(server.secure()).isTrue();
        try (SSLSocket s = TlsClients.connect(TlsClients.trusting(ca, null), server.address())) {
            assertThat(TlsClients.servedSerial(s)).isEqualTo(leaf.certificate().getSerialNumber());
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            RawClient.Response r = get(s);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.bodyText()).isEqualTo("secure");
        }
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.secure()).isTrue());
    }

    @Test
    void sec34Tls12IsAccepted() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        try (SSLSocket s = TlsClients.connect(TlsClients.trusting(ca, null), server.address(), "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(get(s).bodyText()).isEqualTo("secure");
        }
    }

    @Test
    void sec34JavaHttpClientWithTheCaGetsAnswers() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        HttpClient client = HttpClient.newBuilder().sslContext(TlsClients.trusting(ca, null)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                URI.create("https://localhost:" + server.port() + "/x")).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("secure");
    }

    @Test
    void sec34ClientTrustingAnotherCaIsRefused() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        SSLContext other = TlsClients.trusting(DevelopmentCa.create("another CA"), null);
        assertThatThrownBy(() -> TlsClients.connect(other, server.address()).close()).isInstanceOf(SSLHandshakeException.class);
        assertThat(seen).isEmpty();
    }

    @Test
    void sec34Tls11ClientHelloIsRefused() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        // a TLS 1.1 ClientHello built by hand: the JDK client refuses to offer TLS 1.1, so it cannot test the server
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(tls11ClientHello());
            byte[] answer = readUpTo(s.getInputStream(), 5);
            // an alert record (21), or nothing: never a handshake record (22) carrying a ServerHello
            assertThat(answer.length == 0 || answer[0] == 21).as("answer %s", java.util.Arrays.toString(answer)).isTrue();
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void sec34PlainHttpToTheTlsPortGetsNoHttpResponse() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            byte[] answer = readUpTo(c.socket().getInputStream(), 5);
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP");
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void sec34ReplacedCertificateIsServedToNewConnectionsWithoutRestart() throws Exception {
        DevelopmentCa.Issued first = ca.issueLocal("node");
        first.write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        SSLContext client = TlsClients.trusting(ca, null);
        try (SSLSocket s = TlsClients.connect(client, server.address())) {
            assertThat(TlsClients.servedSerial(s)).isEqualTo(first.certificate().getSerialNumber());
        }
        DevelopmentCa.Issued renewed = ca.issueLocal("node");
        renewed.write(chain, key);
        assertThat(servedEventually(client, server, renewed.certificate().getSerialNumber())).isTrue();
        try (SSLSocket s = TlsClients.connect(client, server.address())) {
            assertThat(get(s).bodyText()).isEqualTo("secure");
        }
    }

    @Test
    void sec34BrokenReplacementKeepsTheLoadedCertificate() throws Exception {
        DevelopmentCa.Issued first = ca.issueLocal("node");
        first.write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        SSLContext client = TlsClients.trusting(ca, null);
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        assertThat(onlyServed(client, server, first.certificate().getSerialNumber(), Duration.ofMillis(1600))).isTrue();
        // the next good replacement is picked up
        DevelopmentCa.Issued renewed = ca.issueLocal("node");
        renewed.write(chain, key);
        assertThat(servedEventually(client, server, renewed.certificate().getSerialNumber())).isTrue();
    }

    @Test
    void sec34CertificateWhoseKeyDoesNotMatchKeepsTheLoadedCertificate() throws Exception {
        DevelopmentCa.Issued first = ca.issueLocal("node");
        first.write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key));
        SSLContext client = TlsClients.trusting(ca, null);
        // a renewal caught half-way: the new chain is on disk, its key not yet
        DevelopmentCa.Issued renewed = ca.issueLocal("node");
        Files.writeString(chain, renewed.chainPem());
        assertThat(onlyServed(client, server, first.certificate().getSerialNumber(), Duration.ofMillis(1600))).isTrue();
        renewed.write(chain, key);
        assertThat(servedEventually(client, server, renewed.certificate().getSerialNumber())).isTrue();
    }

    @Test
    void sec34ClientCertificateRequiredRefusesClientsWithoutOne() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key).requiringClientCertificates(caFile));
        assertNoHttpAnswer(TlsClients.trusting(ca, null), server);
        DevelopmentCa stranger = DevelopmentCa.create("another CA");
        SSLContext strangerClient = TlsClients.trusting(ca, stranger.issueLocal("intruder"));
        assertNoHttpAnswer(strangerClient, server);
        assertThat(seen).isEmpty();
    }

    @Test
    void sec34ClientCertificateIssuedByTheCaIsAccepted() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = start(new TlsFiles(chain, key).requiringClientCertificates(caFile));
        try (SSLSocket s = TlsClients.connect(TlsClients.trusting(ca, ca.issueLocal("operator")), server.address())) {
            assertThat(get(s).bodyText()).isEqualTo("secure");
        }
    }

    @Test
    void sec34MissingFilesAreRefusedAtLoadNamingTheFile() throws Exception {
        ca.issueLocal("node").write(chain, key);
        Path missing = dir.resolve("missing.key");
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(chain, missing))).isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        assertThatThrownBy(() -> ReloadingTls.load(new TlsFiles(dir.resolve("garbage.pem"), key))).isInstanceOf(IOException.class)
                .hasMessageContaining("garbage.pem");
    }

    @Test
    void sec34SilentTlsConnectionIsClosedByTheHeaderDeadline() throws Exception {
        ca.issueLocal("node").write(chain, key);
        EdgeServer server = servers.start(TestServers.relaxed().withTimeouts(Duration.ofMillis(600), Duration.ofSeconds(60),
                Duration.ofSeconds(60)), ReloadingTls.load(new TlsFiles(chain, key)), TestServers.answering("x"));
        try (RawClient c = RawClient.connect(server.address())) {
            assertThat(c.closedWithin(Duration.ofSeconds(8))).isTrue();
        }
    }

    /** A client without an acceptable certificate gets no HTTP answer: the handshake or the first read fails. */
    private static void assertNoHttpAnswer(SSLContext client, EdgeServer server) {
        assertThatThrownBy(() -> {
            try (SSLSocket s = TlsClients.connect(client, server.address())) {
                get(s); // TLS 1.3: the server's refusal arrives after the client's handshake is done
            }
        }).isInstanceOfAny(SSLException.class, SocketException.class, java.io.EOFException.class);
    }

    private static boolean servedEventually(SSLContext client, EdgeServer server, BigInteger serial) throws Exception {
        long end = System.nanoTime() + RELOAD_BOUND.toNanos();
        while (System.nanoTime() < end) {
            try (SSLSocket s = TlsClients.connect(client, server.address())) {
                if (TlsClients.servedSerial(s).equals(serial)) return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Every handshake over {@code period} (longer than the re-check interval, so the change was looked at) succeeds and presents {@code serial}. */
    private static boolean onlyServed(SSLContext client, EdgeServer server, BigInteger serial, Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        int handshakes = 0;
        while (System.nanoTime() < end) {
            try (SSLSocket s = TlsClients.connect(client, server.address())) {
                if (!TlsClients.servedSerial(s).equals(serial)) return false;
                if (!get(s).bodyText().equals("secure")) return false;
            }
            handshakes++;
            Thread.sleep(100);
        }
        return handshakes > 2;
    }

    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            while (out.size() < n) {
                int b = in.read();
                if (b < 0) break;
                out.write(b);
            }
        } catch (SocketException e) {
            // reset: nothing more
        }
        return out.toByteArray();
    }

    /** A TLS 1.1 ClientHello offering ECDHE-ECDSA and RSA CBC suites, P-256, and no supported_versions extension. */
    private static byte[] tls11ClientHello() {
        ByteBuffer ext = ByteBuffer.allocate(64);
        ext.putShort((short) 0x000a).putShort((short) 4).putShort((short) 2).putShort((short) 0x0017); // supported_groups: P-256
        ext.putShort((short) 0x000b).putShort((short) 2).put((byte) 1).put((byte) 0); // ec_point_formats: uncompressed
        ext.flip();
        short[] suites = {(short) 0xc009, (short) 0xc00a, (short) 0xc013, (short) 0x002f, (short) 0x0035};
        ByteBuffer body = ByteBuffer.allocate(256);
        body.putShort((short) 0x0302); // client_version TLS 1.1
        body.put(new byte[32]); // random
        body.put((byte) 0); // session id
        body.putShort((short) (suites.length * 2));
        for (short s : suites) body.putShort(s);
        body.put((byte) 1).put((byte) 0); // compression: null
        body.putShort((short) ext.remaining()).put(ext);
        body.flip();
        ByteBuffer hello = ByteBuffer.allocate(body.remaining() + 9);
        hello.put((byte) 22).putShort((short) 0x0302).putShort((short) (body.remaining() + 4));
        hello.put((byte) 1).put((byte) 0).putShort((short) body.remaining()).put(body);
        return hello.array();
    }
}
