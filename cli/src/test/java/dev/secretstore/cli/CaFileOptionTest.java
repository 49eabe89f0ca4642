package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.http.server.HttpResponse;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.http.tls.DevelopmentCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --ca-file} of the commands that call a key server (issue #15, SEC-34): an https:// key server whose certificate
 * the development CA issued is trusted with the CA file, refused on the JVM's default trust store; {@code --dev DIR} takes
 * the CA from dev.json's {@code "ca"}; a file without a certificate is a usage error naming it.
 */
class CaFileOptionTest {
    static final String SECRET = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";
    static final KeyPair ME = KeyPair.fromSecretBytes(Hex.decode(SECRET));
    static final H256 KEY_ID = H256.keccak("key".getBytes());
    static final H256 CLUSTER = ClusterId.ofName("https stub");

    record Seen(String method, String path, boolean secure) {}

    @TempDir
    Path dir;
    final List<Seen> seen = new ArrayList<>();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    Path caFile;
    Path keyFile;
    EdgeServer server;
    String url;

    @BeforeEach
    void start() throws Exception {
        DevelopmentCa ca = DevelopmentCa.create("cli test CA");
        caFile = dir.resolve("ca.pem");
        ca.writeCertificate(caFile);
        ca.issueLocal("node-0").write(dir.resolve("node.pem"), dir.resolve("node.key"));
        keyFile = dir.resolve("requester.key");
        Files.writeString(keyFile, SECRET);
        String serverKey = "\"" + Hex.encodePrefixed(KeyPair.random().publicKey().toBytes()) + "\"";
        server = EdgeServer.start("http-api", new InetSocketAddress("127.0.0.1", 0), ServerLimits.defaults(1 << 20),
                ReloadingTls.load(new TlsFiles(dir.resolve("node.pem"), dir.resolve("node.key"))), r -> {
                    synchronized (seen) {
                        seen.add(new Seen(r.method(), r.rawPath(), r.secure()));
                    }
                    String body = r.rawPath().equals("/cluster")
                            ? "{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"max_lifetime\":600,\"time\":" + System.currentTimeMillis() / 1000 + "}"
                            : r.rawPath().split("/").length == 5 && r.method().equals("POST") ? serverKey : ""; // generation: the server key
                    return CompletableFuture.completedFuture(HttpResponse.of(200, "application/json", body.getBytes(StandardCharsets.UTF_8)));
                });
        url = "https://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), new MainTest.Fake(null, null));
    }

    @Test
    void sec34AuthorizeTrustsTheCaFileAndOnlyIt() throws Exception {
        String[] base = {"authorize", "--key-file", keyFile.toString(), "--key-id", KEY_ID.toHex(), "--operation", "server_key", "--url", url};
        assertThat(run(concat(base, "--ca-file", caFile.toString()))).as(err.toString()).isZero();
        Authorization a = Authorization.parseHeader(out.toString().trim());
        assertThat(a.verify(CLUSTER, Operation.RETRIEVE_SERVER_KEY, KEY_ID, Operation.NO_PARAMS)).isEqualTo(ME.publicKey());
        assertThat(seen).containsExactly(new Seen("GET", "/cluster", true));

        err.getBuffer().setLength(0);
        assertThat(run(base)).isEqualTo(Main.FAILURE); // the JVM's trust store does not know the development CA
        assertThat(err.toString()).contains("SSLHandshakeException");
        assertThat(seen).hasSize(1);
    }

    @Test
    void sec34EncryptWithIdPublishesOverHttpsWithTheCaFile() {
        assertThat(run("encrypt", "--id", KEY_ID.toHex(), "--key", keyFile.toString(), "--text", "hello", "--url", url,
                "--ca-file", caFile.toString())).as(err.toString()).isZero();
        assertThat(out.toString().trim()).startsWith("0x");
        assertThat(seen).extracting(Seen::method).containsExactly("GET", "POST", "POST");
        assertThat(seen).allMatch(Seen::secure);

        err.getBuffer().setLength(0);
        seen.clear();
        assertThat(run("encrypt", "--id", KEY_ID.toHex(), "--key", keyFile.toString(), "--text", "hello", "--url", url))
                .isEqualTo(Main.FAILURE);
        assertThat(err.toString()).contains("SSLHandshakeException");
        assertThat(seen).isEmpty();
    }

    @Test
    void aCaFileWithoutCertificatesIsAUsageErrorNamingIt() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        assertThat(run("encrypt", "--id", KEY_ID.toHex(), "--key", keyFile.toString(), "--text", "hello", "--url", url,
                "--ca-file", empty.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ca-file " + empty).contains("no certificate");
        err.getBuffer().setLength(0);
        assertThat(run("authorize", "--key-file", keyFile.toString(), "--key-id", KEY_ID.toHex(), "--operation", "server_key",
                "--url", url, "--ca-file", dir.resolve("missing.pem").toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ca-file " + dir.resolve("missing.pem"));
        assertThat(seen).isEmpty();
    }

    @Test
    void sec34AdminCommandsWithDevTakeTheCaFromDevJson() throws Exception {
        Path dev = dir.resolve("dev");
        Files.createDirectories(dev);
        Files.writeString(dev.resolve("admin.key"), SECRET);
        String node = "{\"id\": \"" + KeyPair.random().publicKey().toHex() + "\", \"http\": \"" + url + "\"}";
        Files.writeString(dev.resolve("dev.json"), "{\"nodes\": [" + node + "], \"ca\": \"" + caFile.toAbsolutePath() + "\"}");
        assertThat(run("refresh-shares", "--dev", dev.toString(), "--key", KEY_ID.toHex())).as(err.toString()).isZero();
        assertThat(seen).extracting(Seen::path).first().isEqualTo("/cluster");
        assertThat(seen).hasSize(2).allMatch(Seen::secure);
        assertThat(seen.get(1).path()).startsWith("/admin/refresh_shares/");

        // without "ca" in dev.json the JVM's trust store applies, and refuses the development CA
        Files.writeString(dev.resolve("dev.json"), "{\"nodes\": [" + node + "]}");
        err.getBuffer().setLength(0);
        assertThat(run("refresh-shares", "--dev", dev.toString(), "--key", KEY_ID.toHex())).isEqualTo(Main.FAILURE);
        assertThat(err.toString()).contains("SSLHandshakeException");
        assertThat(seen).hasSize(2);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
