package dev.secretstore.http.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.http.server.EdgeServer;
import dev.secretstore.http.server.HttpResponse;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development CA issues certificates a TLS client accepts for a node on this machine (issue #15, SEC-34). */
class DevelopmentCaTest {
    @TempDir
    Path dir;

    @Test
    void issuedCertificateIsSignedByTheCaAndNamesTheLocalHost() throws Exception {
        DevelopmentCa ca = DevelopmentCa.create("test CA");
        DevelopmentCa.Issued leaf = ca.issueLocal("node-1");
        leaf.certificate().verify(ca.certificate().getPublicKey());
        assertThat(leaf.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.certificate().getBasicConstraints()).isEqualTo(0);
        assertThat(leaf.certificate().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .contains("localhost", "127.0.0.1");
        assertThat(leaf.toString()).contains("node-1").doesNotContain(leaf.privateKeyPem().lines().skip(1).findFirst().orElseThrow());
        assertThat(leaf.certificate().getSerialNumber()).isNotEqualTo(ca.issueLocal("node-2").certificate().getSerialNumber());
    }

    @Test
    void writtenFilesServeHttpsToAClientThatTrustsTheCaOnly() throws Exception {
        DevelopmentCa ca = DevelopmentCa.create("test CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writeCertificate(caFile);
        Path chain = dir.resolve("node.pem");
        Path key = dir.resolve("node.key");
        ca.issueLocal("node-1").write(chain, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n");

        try (EdgeServer server = EdgeServer.start("test", new InetSocketAddress("127.0.0.1", 0), ServerLimits.defaults(1024),
                ReloadingTls.load(new TlsFiles(chain, key)),
                r -> CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", "hello".getBytes(StandardCharsets.US_ASCII))))) {
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/");
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(Files.readString(caFile))).build();
            var answer = trusting.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("hello");

            HttpClient other = HttpClient.newBuilder().sslContext(trusting(DevelopmentCa.create("other CA").certificatePem())).build();
            assertThatThrownBy(() -> other.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    static SSLContext trusting(String caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
            ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
