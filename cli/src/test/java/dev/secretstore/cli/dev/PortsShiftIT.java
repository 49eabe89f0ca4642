package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.cli.DevClusterRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev --ports-shift K} beside a taken default port: the cluster runs on the shifted ports (HTTP API, cluster, ops,
 * JSON-RPC), dev.json and the banner show them, and the directory keeps them.
 */
class PortsShiftIT {
    @TempDir
    Path dir;

    @Test
    void aShiftedDevClusterRunsBesideTakenDefaultPorts() throws Exception {
        ServerSocket http = tryHold(DevCluster.HTTP_BASE_PORT); // null: someone else holds 8082 already, as good
        ServerSocket rpcDefault = tryHold(DevCluster.RPC_PORT); // like a local Ethereum node on 8545
        try {
            int k = PortTakenTest.freeShift();
            DevClusterRunner.Options o = new DevClusterRunner.Options(2, dir, false, false, k);
            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(banner, true, StandardCharsets.UTF_8);
            try (DevCluster.Running running = DevCluster.start(o.nodes(), o.dir(), o.clusterBasePort(), o.httpBasePort(), o.opsBasePort(),
                    o.rpcPort(), o.tls(), out)) {
                JsonNode json = new ObjectMapper().readTree(running.devJson().toFile());
                for (int i = 0; i < 2; i++) {
                    JsonNode n = json.get("nodes").get(i);
                    assertThat(n.get("http").asText()).isEqualTo("http://127.0.0.1:" + (8082 + k + i));
                    assertThat(n.get("ops").asText()).isEqualTo("http://127.0.0.1:" + (8190 + k + i));
                    assertThat(n.get("cluster").asText()).isEqualTo("127.0.0.1:" + (12000 + k + i));
                }
                String rpcUrl = json.get("rpc").get("url").asText();
                if (PortTakenTest.free(8545 + k) || rpcUrl.contains(":" + (8545 + k))) {
                    assertThat(rpcUrl).isEqualTo("http://127.0.0.1:" + (8545 + k));
                }
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(running.opsUrl(1) + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                HttpResponse<String> cluster = client.send(HttpRequest.newBuilder(URI.create(running.httpUrl(0) + "/cluster")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(cluster.statusCode()).isEqualTo(200);
                DevCluster.printBanner(running, dir, out);
                assertThat(banner.toString(StandardCharsets.UTF_8)).contains("node 0  http://127.0.0.1:" + (8082 + k))
                        .contains("node 1  http://127.0.0.1:" + (8083 + k)).contains(rpcUrl)
                        .contains("http://127.0.0.1:" + (8190 + k) + "/health");
            }
            // the directory keeps the ports it was made with: the default ports are refused on it, naming K
            assertThatThrownBy(() -> DevCluster.prepare(2, dir, 12000, 8082, 8190, false, new PrintStream(java.io.OutputStream.nullOutputStream())))
                    .isInstanceOf(IOException.class).hasMessageContaining("made with --ports-shift " + k);
        } finally {
            if (http != null) http.close();
            if (rpcDefault != null) rpcDefault.close();
        }
    }

    private static ServerSocket tryHold(int port) {
        try {
            return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            return null;
        }
    }
}
