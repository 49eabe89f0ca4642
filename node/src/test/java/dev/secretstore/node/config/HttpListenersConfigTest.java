package dev.secretstore.node.config;

import static dev.secretstore.node.config.ConfigLoaderTest.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.node.http.HttpApi;
import dev.secretstore.node.ops.OpsServer;
import dev.secretstore.node.runtime.NodeSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SEC-34: the HTTP listeners' limits ({@code http_*}) and TLS files ({@code tls_*}, {@code ops_tls*}) in
 * {@code [secretstore_ext]}: defaults, ranges, both-or-neither, files resolved against the configuration file and
 * checked at load (docs/configuration.md, "HTTP listeners (SEC-34)" and "TLS").
 */
class HttpListenersConfigTest {
    @TempDir
    Path dir;

    private NodeConfig load(String ext) throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, minimal("[secretstore_ext]\n" + ext), StandardCharsets.UTF_8);
        return ConfigLoader.load(f);
    }

    private ConfigException error(String ext) throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, minimal("[secretstore_ext]\n" + ext), StandardCharsets.UTF_8);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e;
    }

    private void pem(String name) throws Exception {
        Files.writeString(dir.resolve(name), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    }

    @Test
    void sec34_noOptionGivesTheDocumentedDefaultsInPlainHttp() throws Exception {
        NodeConfig c = load("");
        NodeConfig.HttpListeners l = c.listeners();
        assertThat(l).isEqualTo(NodeConfig.HttpListeners.DEFAULT);
        ServerLimits s = l.limits();
        assertThat(s.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.maxHeaderBytes()).isEqualTo(HttpApi.DEFAULT_MAX_HEADER_BYTES).isEqualTo(49152);
        assertThat(s.maxBodyBytes()).isEqualTo(1048576);
        assertThat(s.maxConnections()).isEqualTo(1024);
        assertThat(s.maxConnectionsPerSource()).isEqualTo(64);
        assertThat(s.handlerThreads()).isEqualTo(4);
        assertThat(l.tls()).isEmpty();
        assertThat(l.opsTls()).isFalse();
        assertThat(l.opsTlsFiles()).isEmpty();
        assertThat(NodeSettings.from(c).listeners()).isEqualTo(l);
    }

    @Test
    void sec34_everyLimitIsConfigurableAndOpsKeepsItsFixedCaps() throws Exception {
        NodeConfig.HttpListeners l = load("""
                http_header_timeout = 2
                http_body_timeout = 3
                http_idle_timeout = 4
                http_max_header_bytes = 8192
                http_max_body_bytes = 65536
                http_max_connections = 100
                http_max_connections_per_address = 10
                http_threads = 8
                """).listeners();
        assertThat(l.limits()).isEqualTo(new ServerLimits(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4), 8192,
                65536, 100, 10, 8, 256));
        ServerLimits ops = OpsServer.limits(l.limits());
        assertThat(ops).isEqualTo(new ServerLimits(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4), 8192,
                4096, 64, 16, 1, 16));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http_header_timeout = 0|http_header_timeout|out of range; expected seconds from 1 to 3600",
            "http_header_timeout = \"10\"|http_header_timeout|expected seconds from 1 to 3600, got a string",
            "http_body_timeout = 3601|http_body_timeout|out of range",
            "http_idle_timeout = -1|http_idle_timeout|out of range",
            "http_max_header_bytes = 1023|http_max_header_bytes|expected bytes from 1024 to 1048576",
            "http_max_body_bytes = 1048577|http_max_body_bytes|the API's largest body",
            "http_max_connections = 0|http_max_connections|out of range",
            "http_max_connections_per_address = 0|http_max_connections_per_address|out of range",
            "http_threads = 0|http_threads|expected threads from 1 to 256",
            "ops_tls = \"yes\"|ops_tls|expected true or false"})
    void sec34_badLimitValuesNameTheOption(String line, String option, String message) throws Exception {
        ConfigException e = error(line + "\n");
        assertThat(e.option()).contains(option);
        assertThat(e.section()).contains("secretstore_ext");
        assertThat(e.getMessage()).contains(dir.resolve("node.toml").toString()).contains(message);
    }

    @Test
    void sec34_perAddressCapAboveTheTotalIsRefused() throws Exception {
        ConfigException e = error("http_max_connections = 10\nhttp_max_connections_per_address = 11\n");
        assertThat(e.option()).contains("http_max_connections_per_address");
        assertThat(e.getMessage()).contains("more than http_max_connections (10)");
    }

    @Test
    void tlsFilesResolveAgainstTheConfigurationFileAndOpsFollowsByDefault() throws Exception {
        Files.createDirectories(dir.resolve("tls"));
        pem("tls/node.pem");
        pem("tls/node.key");
        NodeConfig.HttpListeners l = load("tls_certificate = \"tls/node.pem\"\ntls_private_key = \"tls/node.key\"\n").listeners();
        TlsFiles files = new TlsFiles(dir.resolve("tls/node.pem"), dir.resolve("tls/node.key"));
        assertThat(l.tls()).contains(files);
        assertThat(l.opsTls()).isTrue();
        assertThat(l.opsTlsFiles()).contains(files);

        NodeConfig.HttpListeners off = load("tls_certificate = \"tls/node.pem\"\ntls_private_key = \"tls/node.key\"\nops_tls = false\n")
                .listeners();
        assertThat(off.tls()).contains(files);
        assertThat(off.opsTlsFiles()).isEmpty();

        pem("ca.pem");
        NodeConfig.HttpListeners mtls = load("tls_certificate = \"tls/node.pem\"\ntls_private_key = \"tls/node.key\"\n"
                + "ops_tls_client_ca = \"ca.pem\"\n").listeners();
        assertThat(mtls.opsTlsFiles()).contains(files.requiringClientCertificates(dir.resolve("ca.pem")));
        assertThat(mtls.tls()).as("the HTTP API asks no client certificate").contains(files);
    }

    @Test
    void tlsCertificateAndKeyComeTogetherOrNotAtAll() throws Exception {
        pem("node.pem");
        pem("node.key");
        ConfigException noKey = error("tls_certificate = \"node.pem\"\n");
        assertThat(noKey.option()).contains("tls_private_key");
        assertThat(noKey.getMessage()).contains("not set, but tls_certificate is").contains("or neither");
        ConfigException noCert = error("tls_private_key = \"node.key\"\n");
        assertThat(noCert.option()).contains("tls_certificate");
        assertThat(noCert.getMessage()).contains("not set, but tls_private_key is");
    }

    @Test
    void missingOrUnreadableTlsFilesAreNamedAtLoad() throws Exception {
        pem("node.key");
        ConfigException missing = error("tls_certificate = \"nowhere.pem\"\ntls_private_key = \"node.key\"\n");
        assertThat(missing.option()).contains("tls_certificate");
        assertThat(missing.getMessage()).contains(dir.resolve("nowhere.pem").toString()).contains("does not exist");
        Files.createDirectories(dir.resolve("adir"));
        assertThat(error("tls_certificate = \"adir\"\ntls_private_key = \"node.key\"\n").getMessage())
                .contains("not a regular file");
        pem("node.pem");
        Path key = dir.resolve("node.key");
        if (key.getFileSystem().supportedFileAttributeViews().contains("posix") && !"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(key, java.util.Set.of());
            ConfigException unreadable = error("tls_certificate = \"node.pem\"\ntls_private_key = \"node.key\"\n");
            assertThat(unreadable.option()).contains("tls_private_key");
            assertThat(unreadable.getMessage()).contains("cannot be read");
        }
        ConfigException ca = error("tls_certificate = \"node.pem\"\ntls_private_key = \"node.pem\"\nops_tls_client_ca = \"ca.pem\"\n");
        assertThat(ca.option()).contains("ops_tls_client_ca");
        assertThat(ca.getMessage()).contains(dir.resolve("ca.pem").toString()).contains("does not exist");
    }

    @Test
    void opsTlsAndClientCertificatesNeedTheirPrerequisites() throws Exception {
        pem("node.pem");
        pem("node.key");
        pem("ca.pem");
        ConfigException opsWithout = error("ops_tls = true\n");
        assertThat(opsWithout.option()).contains("ops_tls");
        assertThat(opsWithout.getMessage()).contains("tls_certificate and tls_private_key are not set");
        ConfigException caWithoutTls = error("ops_tls_client_ca = \"ca.pem\"\n");
        assertThat(caWithoutTls.option()).contains("ops_tls_client_ca");
        assertThat(caWithoutTls.getMessage()).contains("does not serve TLS").contains("tls_certificate and tls_private_key are not set");
        ConfigException caWithOpsOff = error("tls_certificate = \"node.pem\"\ntls_private_key = \"node.key\"\nops_tls = false\n"
                + "ops_tls_client_ca = \"ca.pem\"\n");
        assertThat(caWithOpsOff.getMessage()).contains("ops_tls = false");
        assertThat(load("ops_tls = false\n").listeners().opsTls()).isFalse();
    }

    @Test
    void sec30_theExposureNoticeNamesTheTlsOptionsAndGoesAwayWithTls() throws Exception {
        pem("node.pem");
        pem("node.key");
        Path f = dir.resolve("node.toml");
        Files.writeString(f, minimal("http_interface = \"all\"\n[secretstore_ext]\nops_interface = \"all\"\n"));
        NodeConfig plain = ConfigLoader.load(f);
        assertThat(plain.notices()).anyMatch(n -> n.startsWith("HTTP API listens on 0.0.0.0:8082") && n.contains("tls_certificate"));
        assertThat(plain.notices()).anyMatch(n -> n.startsWith("health and metrics listener on 0.0.0.0:8182") && n.contains("plain HTTP"));
        Files.writeString(f, minimal("http_interface = \"all\"\n[secretstore_ext]\nops_interface = \"all\"\n"
                + "tls_certificate = \"node.pem\"\ntls_private_key = \"node.key\"\n"));
        NodeConfig tls = ConfigLoader.load(f);
        assertThat(tls.notices()).noneMatch(n -> n.startsWith("HTTP API listens"));
        assertThat(tls.notices()).noneMatch(n -> n.contains("plain HTTP"));
        assertThat(tls.listeners().tls()).isEqualTo(Optional.of(new TlsFiles(dir.resolve("node.pem"), dir.resolve("node.key"))));
    }
}
