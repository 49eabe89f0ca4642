package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.client.TrustedCertificates;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end from {@code init-cluster --tls} (issue #15, SEC-34), with the shaded jar as an operator runs it: the
 * nodes start from the written configurations and serve HTTPS on the HTTP API and the ops listener; the client commands
 * publish and consume a document over HTTPS with {@code --ca-file tls/ca.pem} and fail the handshake without it; plain
 * HTTP to the TLS port gets no answer, only a closed connection, and leaves the node serving.
 */
class TlsClusterIT {
    static final Path JAR = ShadedJarIT.JAR;
    static final String JAVA = ShadedJarIT.JAVA;
    static final int NODES = 2;

    @TempDir
    Path dir;
    private final List<Process> nodes = new ArrayList<>();
    private int httpBase;
    private int opsBase;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : nodes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    record Result(int code, String out, String err) {}

    Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(dir.resolve("cli.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(dir.resolve("cli.err")));
    }

    private String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            Path log = dir.resolve("node-" + i + ".log");
            if (Files.exists(log)) sb.append("--- node-").append(i).append('\n').append(Files.readString(log));
        }
        return sb.toString();
    }

    /** Until every node's ops listener answers /health with 200 over HTTPS (all members connected). */
    private void awaitHealthy(HttpClient https) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        for (int i = 0; i < NODES; i++) {
            URI health = URI.create("https://127.0.0.1:" + (opsBase + i) + "/health");
            while (true) {
                try {
                    if (https.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200) break;
                } catch (IOException notYet) {
                    // not listening yet
                }
                assertThat(System.nanoTime() - deadline < 0).as("node %d not healthy over HTTPS; logs:%n%s", i, logs()).isTrue();
                Thread.sleep(300);
            }
        }
    }

    @Test
    void sec34InitClusterTlsRunsADocumentRoundTripOverHttpsWithTheCaFile() throws Exception {
        int base = dev.secretstore.cli.dev.TestPorts.base();
        httpBase = base + 10;
        opsBase = base + 20;
        Result init = cli("init-cluster", "--tls", "--nodes", String.valueOf(NODES), "--dir", dir.toString(), "--base-port", String.valueOf(base),
                "--http-base-port", String.valueOf(httpBase), "--ops-base-port", String.valueOf(opsBase));
        assertThat(init.code()).as(init.err()).isZero();
        Path ca = dir.resolve("tls/ca.pem");
        assertThat(init.out()).contains("https://127.0.0.1:" + httpBase).contains(ca.toString());
        for (int i = 0; i < NODES; i++) {
            nodes.add(new ProcessBuilder(JAVA, "-jar", JAR.toString(), "node", "--config", dir.resolve("node-" + i + ".toml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("node-" + i + ".log").toFile()).start());
        }
        HttpClient https = HttpClient.newBuilder().sslContext(TrustedCertificates.sslContext(ca)).connectTimeout(Duration.ofSeconds(5)).build();
        awaitHealthy(https);

        Path requester = dir.resolve("requester.key");
        KeyPair me = KeyPair.random();
        try {
            Files.writeString(requester, Hex.encode(me.secret().toBytes()) + "\n");
        } finally {
            me.destroy();
        }
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        String keyId = H256.fromBytes(id).toHex();
        String urls = "https://127.0.0.1:" + httpBase + ",https://127.0.0.1:" + (httpBase + 1);

        Result encrypted = cli("encrypt", "--id", keyId, "--key", requester.toString(), "--threshold", "1", "--text", "over TLS",
                "--url", urls, "--ca-file", ca.toString());
        assertThat(encrypted.code()).as(encrypted.err() + logs()).isZero();
        String document = encrypted.out().trim();
        assertThat(document).startsWith("0x");

        Result decrypted = cli("decrypt", "--id", keyId, "--key", requester.toString(), "--data", document,
                "--url", "https://127.0.0.1:" + (httpBase + 1), "--ca-file", ca.toString());
        assertThat(decrypted.code()).as(decrypted.err() + logs()).isZero();
        assertThat(decrypted.out()).isEqualTo("over TLS");

        // without --ca-file the JVM's trust store applies: it does not know the development CA
        Result untrusted = cli("decrypt", "--id", keyId, "--key", requester.toString(), "--data", document,
                "--url", "https://127.0.0.1:" + httpBase);
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.err()).contains("SSLHandshakeException");
        assertThat(untrusted.out()).isEmpty();

        // plain HTTP to the TLS port: no HTTP answer, the connection is closed, promptly
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpBase + "/cluster"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class).isNotInstanceOf(java.net.http.HttpTimeoutException.class);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", httpBase), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /cluster HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] answer;
            try {
                answer = in.readAllBytes(); // up to the server's close
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the TLS port kept a plain HTTP connection open for 10 s", e);
            } catch (IOException reset) {
                answer = new byte[0]; // closed with a reset: refused as well
            }
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/");
        }
        // and the node still serves HTTPS
        assertThat(https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpBase + "/cluster")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
