package dev.secretstore.rpc.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.http.tls.DevelopmentCa;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.rpc.SecretStoreRpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-34 TLS on the JSON-RPC service's listener, with a certificate of the development CA: a client that trusts the
 * CA gets the unchanged JSON-RPC answer over HTTPS, one that trusts another CA fails the handshake, and plain HTTP to
 * the TLS port gets no HTTP answer.
 */
class RpcTlsTest {
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}";
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":7}";

    @TempDir
    Path dir;
    private DevelopmentCa ca;
    private RpcHttpServer server;

    @BeforeEach
    void start() throws Exception {
        ca = DevelopmentCa.create("rpc test CA");
        Path chain = dir.resolve("rpc.pem");
        Path key = dir.resolve("rpc.key");
        ca.issueLocal("rpc").write(chain, key);
        Path keystore = Files.createDirectory(dir.resolve("keystore"));
        server = RpcHttpServer.start(new SecretStoreRpc(new Keystore(keystore)), "127.0.0.1", 0, CorsPolicy.none(),
                HostAllowList.defaults(), ServerLimits.defaults(RpcHttpServer.MAX_BODY), ReloadingTls.load(new TlsFiles(chain, key)));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static HttpClient trusting(X509Certificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    private HttpResponse<String> post(HttpClient client) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri()).POST(HttpRequest.BodyPublishers.ofString(CALL))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sec34_httpsCallWithAClientTrustingTheCa() throws Exception {
        assertThat(server.secure()).isTrue();
        assertThat(server.uri().toString()).startsWith("https://127.0.0.1:");
        HttpResponse<String> r = post(trusting(ca.certificate()));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(r.body()).isEqualTo(ANSWER);
    }

    @Test
    void sec34_aClientTrustingAnotherCaFailsTheHandshake() throws Exception {
        HttpClient other = trusting(DevelopmentCa.create("another CA").certificate());
        assertThatThrownBy(() -> post(other)).isInstanceOf(SSLHandshakeException.class);
    }

    /** Plain HTTP to the TLS port: the connection ends with no HTTP answer (the first record is not TLS). */
    @Test
    void sec34_plainHttpToTheTlsPortGetsNoHttpAnswer() throws Exception {
        byte[] got;
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + CALL.length() + "\r\n\r\n" + CALL)
                    .getBytes(StandardCharsets.US_ASCII));
            got = readUntilClosed(s.getInputStream());
        }
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
        assertThat(server.stats().requests()).isZero();
    }

    /** Everything the server sends until it closes the connection (a reset counts as closed). */
    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
        } catch (SocketException reset) {
            // closed with unread data on the server side: a reset, still closed
        }
        return out.toByteArray();
    }
}
