package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.client.TrustedCertificates;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init-cluster --tls} (issue #15, SEC-34): a development CA whose certificate alone is kept (tls/ca.pem), a
 * certificate and key per node that a TLS listener loads and a client trusting ca.pem accepts, keys private (SEC-39),
 * and configurations that name them.
 */
class ClusterInitTlsTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    @Test
    void sec34TlsFilesLoadVerifyAgainstTheCaAndKeepTheKeysPrivate() throws Exception {
        ClusterInit.Plan plan = ClusterInit.plan(3, dir.resolve("c"), 12000, 8082, 8190, Optional.empty(), true);
        ClusterInit.writeTls(plan, List.of("rpc"));

        List<X509Certificate> ca = certificates(plan.caFile());
        assertThat(ca).hasSize(1);
        assertThat(ca.get(0).getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(Files.readString(plan.caFile())).doesNotContain("PRIVATE KEY");
        assertThat(mode(plan.caFile().getParent())).isEqualTo("rwx------");
        // the CA's key is not kept: the tls directory holds the CA certificate and one chain and key per name, nothing else
        try (Stream<Path> files = Files.list(plan.caFile().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "ca.pem", "node-0.key", "node-0.pem", "node-1.key", "node-1.pem", "node-2.key", "node-2.pem", "rpc.key", "rpc.pem");
        }
        for (String name : List.of("node-0", "node-1", "node-2", "rpc")) {
            Path chain = plan.certificateFile(name);
            Path key = plan.certificateKeyFile(name);
            assertThat(mode(key)).as(name).isEqualTo("rw-------"); // SEC-39
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n"); // PKCS#8
            List<X509Certificate> c = certificates(chain);
            assertThat(c).hasSize(2);
            c.get(0).verify(ca.get(0).getPublicKey());
            assertThat(c.get(0).getSubjectX500Principal().getName()).contains("CN=" + name);
            assertThat(c.get(1)).isEqualTo(ca.get(0));
            assertThat(ReloadingTls.load(new TlsFiles(chain, key)).current().isServer()).isTrue();
        }
        assertThat(certificates(plan.certificateFile("node-0")).get(0).getSerialNumber())
                .isNotEqualTo(certificates(plan.certificateFile("node-1")).get(0).getSerialNumber());
    }

    @Test
    void sec34ANodeCertificateServesHttpsToAClientTrustingCaPem() throws Exception {
        ClusterInit.Plan plan = ClusterInit.plan(1, dir.resolve("c"), 12000, 8082, 8190, Optional.empty(), true);
        ClusterInit.writeTls(plan, List.of());
        try (EdgeServer server = EdgeServer.start("http-api", new InetSocketAddress("127.0.0.1", 0), ServerLimits.defaults(1024),
                ReloadingTls.load(new TlsFiles(plan.certificateFile("node-0"), plan.certificateKeyFile("node-0"))),
                r -> CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", "ok".getBytes(StandardCharsets.US_ASCII))))) {
            HttpClient client = HttpClient.newBuilder().sslContext(TrustedCertificates.sslContext(plan.caFile())).build();
            for (String host : List.of("127.0.0.1", "localhost")) {
                var answer = client.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + server.port() + "/")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(answer.body()).as(host).isEqualTo("ok");
            }
        }
    }

    @Test
    void sec34InitClusterTlsWritesConfigurationsThatServeHttpsWithTheirCertificates() throws Exception {
        Path out = dir.resolve("cluster");
        java.io.StringWriter stdout = new java.io.StringWriter();
        java.io.StringWriter stderr = new java.io.StringWriter();
        assertThat(Main.execute(new String[] {"init-cluster", "--tls", "--nodes", "3", "--dir", out.toString()},
                new java.io.PrintWriter(stdout, true), new java.io.PrintWriter(stderr, true), new MainTest.Fake(null, null)))
                .as(stderr.toString()).isZero();
        for (int i = 0; i < 3; i++) {
            dev.secretstore.node.config.NodeConfig c = dev.secretstore.node.config.ConfigLoader.load(out.resolve("node-" + i + ".toml"));
            try {
                TlsFiles tls = c.listeners().tls().orElseThrow();
                assertThat(tls.certificateChain()).isEqualTo(out.resolve("tls/node-" + i + ".pem"));
                assertThat(tls.privateKey()).isEqualTo(out.resolve("tls/node-" + i + ".key"));
                assertThat(c.listeners().opsTls()).isTrue(); // ops on HTTPS with the same certificate by default
                assertThat(c.notices()).isEmpty();
                ReloadingTls.load(tls);
                certificates(tls.certificateChain()).get(0).verify(certificates(out.resolve("tls/ca.pem")).get(0).getPublicKey());
                assertThat(mode(tls.privateKey())).isEqualTo("rw-------");
            } finally {
                c.nodeKey().destroy();
            }
            assertThat(stdout.toString()).contains("https://127.0.0.1:" + (8082 + i)).contains("ops https://127.0.0.1:" + (8190 + i));
        }
        assertThat(stdout.toString()).contains("curl --cacert " + out.resolve("tls/ca.pem") + " https://127.0.0.1:8082/cluster")
                .contains("--ca-file " + out.resolve("tls/ca.pem"));
        // a second run refuses to overwrite the TLS files as it refuses the keys
        stderr.getBuffer().setLength(0);
        assertThat(Main.execute(new String[] {"init-cluster", "--tls", "--nodes", "3", "--dir", out.toString()},
                new java.io.PrintWriter(stdout, true), new java.io.PrintWriter(stderr, true), new MainTest.Fake(null, null))).isEqualTo(2);
        assertThat(stderr.toString()).contains(out.resolve("tls/ca.pem") + " exists");
    }

    @Test
    void configurationsNameTheCertificateAndKeyRelativeToThemselvesOnlyWithTls() {
        List<String> ids = List.of("aa".repeat(64), "bb".repeat(64));
        ClusterInit.Plan tls = ClusterInit.plan(2, dir, 12000, 8082, 8190, Optional.empty(), true);
        String text = ClusterInit.configText(tls, 1, ids, "cc".repeat(64));
        String ext = text.substring(text.indexOf("[secretstore_ext]"));
        assertThat(ext).contains("\ntls_certificate = \"tls/node-1.pem\"\n").contains("\ntls_private_key = \"tls/node-1.key\"\n");
        assertThat(tls.certificateFile("node-1")).isEqualTo(dir.toAbsolutePath().resolve("tls/node-1.pem"));

        ClusterInit.Plan plain = ClusterInit.plan(2, dir, 12000, 8082, 8190, Optional.empty(), false);
        assertThat(ClusterInit.configText(plain, 1, ids, "cc".repeat(64))).doesNotContain("tls_");
    }

    @Test
    void existingTlsFilesBlockUnlessForced() throws Exception {
        ClusterInit.Plan plan = ClusterInit.plan(2, dir, 12000, 8082, 8190, Optional.empty(), true);
        assertThat(ClusterInit.blockers(plan, false)).isEmpty();
        ClusterInit.writeTls(plan, List.of());
        assertThat(ClusterInit.blockers(plan, false)).anyMatch(b -> b.startsWith(plan.caFile() + " exists"))
                .anyMatch(b -> b.startsWith(plan.certificateKeyFile("node-1") + " exists"));
        assertThat(ClusterInit.blockers(plan, true)).isEmpty();
        assertThat(ClusterInit.blockers(ClusterInit.plan(2, dir, 12000, 8082, 8190, Optional.empty(), false), false)).isEmpty();
    }
}
