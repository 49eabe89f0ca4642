package dev.secretstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS to key servers with a CA file (issue #15, SEC-34): the builder's {@code trustedCertificates(pem)} makes the
 * client trust exactly those certificates, for {@code GET /cluster} and every request alike; a server whose certificate
 * another CA issued is refused, and so is the development CA when the client is left on the JVM's trust store.
 */
class HttpsClientTest {
    static final String ID = "00".repeat(31) + "01";
    static final H256 CLUSTER = ClusterId.ofName("https stub");

    record Seen(String method, String path, boolean secure, String authorization) {}

    @TempDir
    Path dir;

    private final List<Seen> seen = new ArrayList<>();
    private final Credentials me = Credentials.fromSecretHex("4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7");
    private final String serverKey = "\"" + Hex.encodePrefixed(KeyPair.random().publicKey().toBytes()) + "\"";
    private DevelopmentCa ca;
    private Path caFile;
    private EdgeServer server;
    private String url;

    @BeforeEach
    void start() throws Exception {
        ca = DevelopmentCa.create("client test CA");
        caFile = dir.resolve("ca.pem");
        ca.writeCertificate(caFile);
        Path chain = dir.resolve("node.pem");
        Path key = dir.resolve("node.key");
        ca.issueLocal("node-0").write(chain, key);
        server = EdgeServer.start("http-api", new InetSocketAddress("127.0.0.1", 0), ServerLimits.defaults(1 << 20),
                ReloadingTls.load(new TlsFiles(chain, key)), r -> {
                    synchronized (seen) {
                        seen.add(new Seen(r.method(), r.rawPath(), r.secure(), r.header(Authorization.HEADER)));
                    }
                    String body = r.rawPath().equals("/cluster")
                            ? "{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"max_lifetime\":600,\"time\":" + System.currentTimeMillis() / 1000 + "}"
                            : serverKey;
                    return CompletableFuture.completedFuture(HttpResponse.of(200, "application/json", body.getBytes(StandardCharsets.UTF_8)));
                });
        url = "https://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        me.destroy();
    }

    @Test
    void trustsTheCaFileForDiscoveryAndEveryRequest() {
        SecretStoreClient client = SecretStoreClient.builder(List.of(url), me).trustedCertificates(caFile).build();
        assertThat(Hex.encodePrefixed(client.retrieveServerKey(SecretStoreClient.keyId(ID)).toBytes())).isEqualTo(serverKey.replace("\"", ""));
        assertThat(seen).extracting(Seen::path).first().isEqualTo("/cluster");
        assertThat(seen).hasSize(2).allMatch(Seen::secure);
        // the discovery over HTTPS worked: the request carries a fresh authorization for the cluster GET /cluster named
        assertThat(seen.get(1).authorization()).isNotNull();
        assertThat(Authorization.parseHeader(seen.get(1).authorization())
                .verify(CLUSTER, Operation.RETRIEVE_SERVER_KEY, SecretStoreClient.keyId(ID), Operation.NO_PARAMS)).isEqualTo(me.publicKey());
    }

    @Test
    void oneOfSeveralCertificatesInTheFileSuffices() throws Exception {
        Path both = dir.resolve("both.pem");
        Files.writeString(both, DevelopmentCa.create("some other CA").certificatePem() + Files.readString(caFile));
        SecretStoreClient client = SecretStoreClient.builder(List.of(url), me).trustedCertificates(both).build();
        client.retrieveServerKey(SecretStoreClient.keyId(ID));
        assertThat(seen).hasSize(2);
    }

    @Test
    void refusesAServerTheFileDoesNotVouchFor() throws Exception {
        Path other = dir.resolve("other.pem");
        DevelopmentCa.create("other CA").writeCertificate(other);
        for (SecretStoreClient client : List.of(
                SecretStoreClient.builder(List.of(url), me).trustedCertificates(other).build(),
                SecretStoreClient.builder(List.of(url), me).build())) { // the JVM's trust store does not know the development CA
            assertThatThrownBy(() -> client.retrieveServerKey(SecretStoreClient.keyId(ID)))
                    .isInstanceOf(SecretStoreException.TransportFailure.class)
                    .hasMessageContaining("SSLHandshakeException")
                    .hasCauseInstanceOf(SSLHandshakeException.class);
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void aCaFileWithoutCertificatesIsAnErrorNamingIt() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        Path keyOnly = dir.resolve("key-only.pem");
        Files.writeString(keyOnly, ca.issueLocal("x").privateKeyPem());
        for (Path p : List.of(empty, keyOnly)) {
            assertThatThrownBy(() -> SecretStoreClient.builder(List.of(url), me).trustedCertificates(p))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(p.toString());
        }
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> SecretStoreClient.builder(List.of(url), me).trustedCertificates(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith(missing.toString());
    }
}
