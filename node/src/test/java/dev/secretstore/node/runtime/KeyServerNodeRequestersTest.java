package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-32 wiring: a node builds one requester check from its configuration and gives it to its key server (the
 * sessions) and its HTTP API (the edge), and reports the cluster id on {@code GET /cluster} and {@code /health}.
 */
class KeyServerNodeRequestersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final KeyPair nodeKey = KeyPair.random();
    private KeyServerNode node;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private void start(NodeConfig.RequesterAuthorization requesters) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        node = new KeyServerNode(new KeyServerNode.Settings(nodeKey, any, Map.of(), any, dir.resolve("data"), CorsPolicy.none(), false,
                storage -> new AllowAllAclChecker(), true, Duration.ofSeconds(10), 16, AdminPolicy.NONE, RequestLimits.Config.NONE, any,
                TransportConfig.defaults(), Availability.DEFAULTS, HostAllowList.defaults(), dev.secretstore.node.http.Admission.Config.NONE,
                dev.secretstore.node.http.KeyCreators.anyone(), requesters));
        node.start();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Issue #15, SEC-38: the node wires who is connected, the serving threshold and the storage probe into /health;
     * the database file moved away fails the check (503 storage_failing), moved back it passes again.
     */
    @Test
    void issue15_healthReportsTheRealNodeAndFailsWhileItsDatabaseIsGone() throws Exception {
        start(NodeConfig.RequesterAuthorization.DEFAULT);
        HttpResponse<String> ok = get(node.opsPort(), "/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.get("members_connected").toString()).isEqualTo("[\"0x" + node.id().toHex() + "\"]");
        assertThat(body.get("serving_threshold").asInt()).isZero();
        assertThat(body.get("storage").asText()).isEqualTo("ok");
        assertThat(body.get("version").asText()).isNotBlank();

        Path db = dir.resolve("data").resolve(dev.secretstore.node.storage.SqliteKeyStorage.FILE_NAME);
        java.nio.file.Files.move(db, dir.resolve("moved"));
        HttpResponse<String> gone = get(node.opsPort(), "/health");
        assertThat(gone.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(gone.body()).get("storage").asText()).isEqualTo("missing");
        java.nio.file.Files.move(dir.resolve("moved"), db);
        assertThat(get(node.opsPort(), "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void sec32_oneCheckFromTheConfigurationReachesTheKeyServerAndTheHttpApi() throws Exception {
        start(new NodeConfig.RequesterAuthorization(Optional.of("wiring-test"), LegacyPolicy.SHADOW_ONLY, Duration.ofSeconds(120),
                Duration.ofSeconds(5), 10));
        H256 id = ClusterId.ofName("wiring-test");
        assertThat(node.clusterId()).isEqualTo(id);
        var settings = ((ClusterKeyServer) node.keyServer()).requesters().settings();
        assertThat(settings.clusterId()).isEqualTo(id);
        assertThat(settings.legacy()).isEqualTo(LegacyPolicy.SHADOW_ONLY);
        assertThat(settings.maxLifetime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(5));

        JsonNode info = JSON.readTree(get(node.httpPort(), "/cluster").body());
        assertThat(info.get("cluster_id").asText()).isEqualTo("0x" + id.toHex());
        assertThat(info.get("legacy_requester_signatures").asText()).isEqualTo("shadow-only");
        assertThat(info.get("max_lifetime").asLong()).isEqualTo(120);
        assertThat(info.get("clock_skew").asLong()).isEqualTo(5);
        assertThat(JSON.readTree(get(node.opsPort(), "/health").body()).get("cluster_id").asText()).isEqualTo("0x" + id.toHex());

        H256 key = H256.keccak(new byte[] {1});
        String sig = Hex.encode(Ecdsa.sign(KeyPair.random().secret(), key).toBytes());
        HttpResponse<String> r = get(node.httpPort(), "/" + key.toHex() + "/" + sig);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).startsWith("\"\\\"Fresh authorization required: ");
    }

    @Test
    void sec32_byDefaultTheClusterIsIdentifiedByItsMembersAndStaticSignaturesDoEverything() throws Exception {
        start(NodeConfig.RequesterAuthorization.DEFAULT);
        H256 id = ClusterId.ofMembers(List.of(nodeKey.publicKey()));
        assertThat(node.clusterId()).isEqualTo(id);
        assertThat(((ClusterKeyServer) node.keyServer()).requesters().settings().clusterId()).isEqualTo(id);
        assertThat(((ClusterKeyServer) node.keyServer()).requesters().settings().legacy()).isEqualTo(LegacyPolicy.ALL);
        JsonNode info = JSON.readTree(get(node.httpPort(), "/cluster").body());
        assertThat(info.get("cluster_id").asText()).isEqualTo("0x" + id.toHex());
        assertThat(info.get("legacy_requester_signatures").asText()).isEqualTo("all");
        H256 key = H256.keccak(new byte[] {2});
        String sig = Hex.encode(Ecdsa.sign(KeyPair.random().secret(), key).toBytes());
        HttpResponse<String> r = get(node.httpPort(), "/" + key.toHex() + "/" + sig);
        assertThat(r.statusCode()).as("Parity's answer for a key nobody generated").isEqualTo(404);
        assertThat(r.body()).isEqualTo("\"\\\"Server key with this ID is not found\\\"\"");
    }
}
