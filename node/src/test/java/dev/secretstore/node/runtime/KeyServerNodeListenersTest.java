package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.Admission;
import dev.secretstore.node.http.HttpApi;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.testing.TestTls;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node wires its HTTP listeners' limits and TLS (issue #15, SEC-34): HTTPS on the HTTP API and ops from the
 * configured files, TLS material that does not load stops the start naming the file, and a plain listener beyond
 * loopback is one WARNING line naming it, its address and the options that fix it (SEC-30).
 */
class KeyServerNodeListenersTest {
    private static final Logger NODE_LOG = Logger.getLogger(KeyServerNode.class.getName());
    private final KeyPair nodeKey = KeyPair.random();
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private KeyServerNode node;

    @TempDir
    Path dir;

    @BeforeEach
    void listen() {
        NODE_LOG.addHandler(capture);
    }

    @AfterEach
    void stop() {
        NODE_LOG.removeHandler(capture);
        if (node != null) node.close();
    }

    private void start(String httpIp, NodeConfig.HttpListeners listeners) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        node = new KeyServerNode(new KeyServerNode.Settings(nodeKey, loopback, Map.of(), new InetSocketAddress(httpIp, 0),
                dir.resolve("data"), CorsPolicy.none(), false, storage -> new AllowAllAclChecker(), true, Duration.ofSeconds(10), 16,
                AdminPolicy.NONE, RequestLimits.Config.NONE, loopback, TransportConfig.defaults(), Availability.DEFAULTS,
                HostAllowList.defaults(), Admission.Config.NONE, KeyCreators.anyone(), NodeConfig.RequesterAuthorization.DEFAULT, listeners));
        node.start();
    }

    private List<String> plainWarnings() {
        return warnings.stream().map(LogRecord::getMessage).filter(m -> m != null && m.contains("plain HTTP")).toList();
    }

    @Test
    void sec30_aPlainListenerBeyondLoopbackIsOneWarningNamingItsAddressAndTheFix() throws Exception {
        start("0.0.0.0", NodeConfig.HttpListeners.DEFAULT);
        assertThat(plainWarnings()).singleElement().asString()
                .startsWith("http-api: plain HTTP on a non-loopback address 0.0.0.0:" + node.httpPort() + ";")
                .contains("tls_certificate and tls_private_key");
    }

    @Test
    void sec34_bothListenersServeHttpsFromTheConfiguredFilesWithoutAWarning() throws Exception {
        TestTls tls = new TestTls(dir, "node");
        start("0.0.0.0", new NodeConfig.HttpListeners(HttpApi.defaultLimits(), Optional.of(tls.files), true, Optional.empty()));
        assertThat(plainWarnings()).isEmpty();
        var client = TestTls.client(tls.ca, null);
        HttpResponse<String> cluster = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpPort() + "/cluster"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cluster.statusCode()).isEqualTo(200);
        assertThat(cluster.body()).startsWith("{\"cluster_id\":\"0x");
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.opsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("secretstore_http_connections_accepted_total{listener=\"http-api\"} 1\n")
                .contains("secretstore_http_connections_open{listener=\"ops\"} 1\n");
    }

    @Test
    void sec34_tlsMaterialThatDoesNotLoadStopsTheStartNamingTheFile() throws Exception {
        TestTls tls = new TestTls(dir, "node");
        Path notAKey = dir.resolve("broken.key");
        Files.writeString(notAKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        TlsFiles broken = new TlsFiles(tls.files.certificateChain(), notAKey);
        assertThatThrownBy(() -> start("127.0.0.1", new NodeConfig.HttpListeners(HttpApi.defaultLimits(), Optional.of(broken), false,
                Optional.empty())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tls_certificate / tls_private_key")
                .hasMessageContaining(notAKey.toString());
        assertThat(node.httpPort()).as("nothing listens").isEqualTo(-1);
    }
}
