package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.client.Credentials;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.TrustedCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev --tls} (issue #15, SEC-34): every listener of the development cluster serves HTTPS with the development CA
 * (HTTP API, ops, JSON-RPC); dev.json names the CA ({@code "ca"}, absolute) and lists https:// URLs; the Java client
 * trusting that file publishes and consumes; plain HTTP to a TLS port gets no answer; the banner shows curl with
 * {@code --cacert}; the directory keeps its TLS choice across restarts.
 */
class DevTlsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void sec34DevTlsServesHttpsOnEveryListenerWithTheCaInDevJson() throws Exception {
        int base = TestPorts.base();
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        Path ca = dir.resolve("tls/ca.pem");
        try (DevCluster.Running cluster = DevCluster.start(3, dir, base, base + 10, base + 20, 0, true, quiet)) {
            JsonNode devJson = JSON.readTree(cluster.devJson().toFile());
            assertThat(devJson.get("ca").asText()).isEqualTo(ca.toAbsolutePath().toString());
            assertThat(cluster.caFile()).isEqualTo(ca.toAbsolutePath());
            HttpClient https = HttpClient.newBuilder().sslContext(TrustedCertificates.sslContext(ca)).connectTimeout(Duration.ofSeconds(5)).build();
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String http = devJson.at("/nodes/" + i + "/http").asText();
                String ops = devJson.at("/nodes/" + i + "/ops").asText();
                assertThat(http).isEqualTo("https://127.0.0.1:" + (base + 10 + i));
                assertThat(ops).isEqualTo("https://127.0.0.1:" + (base + 20 + i));
                urls.add(http);
                assertThat(https.send(HttpRequest.newBuilder(URI.create(ops + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as(ops).isEqualTo(200);
            }

            // the Java client with the CA file: publish through node 0, consume through node 2
            String secret = Files.readString(dir.resolve(DevCluster.REQUESTER_KEY)).trim();
            byte[] id = new byte[32];
            new SecureRandom().nextBytes(id);
            String keyId = dev.secretstore.crypto.Hex.encode(id);
            Credentials me = Credentials.fromSecretHex(secret);
            try {
                String doc = SecretStoreClient.builder(urls, me).trustedCertificates(ca).build().encryptDocument(keyId, "dev over TLS", 1);
                assertThat(SecretStoreClient.builder(List.of(urls.get(2)), me).trustedCertificates(ca).build()
                        .decryptDocumentToString(keyId, doc)).isEqualTo("dev over TLS");
            } finally {
                me.destroy();
            }

            // the JSON-RPC service on HTTPS too
            String rpcUrl = devJson.at("/rpc/url").asText();
            assertThat(rpcUrl).isEqualTo(cluster.rpcUrl()).startsWith("https://127.0.0.1:");
            DevCluster.RpcAccount account = cluster.rpcAccounts().get(0);
            String call = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1, "method", "secretstore_signRawHash",
                    "params", List.of(account.address(), account.password(), "0x" + keyId)));
            HttpResponse<String> rpc = https.send(HttpRequest.newBuilder(URI.create(rpcUrl)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(call)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rpc.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(rpc.body()).has("result")).as(rpc.body()).isTrue();

            // plain HTTP to a TLS port: an I/O error, not an answer and not a hang
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String url : List.of(urls.get(0).replace("https:", "http:"), rpcUrl.replace("https:", "http:"))) {
                assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(url + "/")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString())).as(url).isInstanceOf(IOException.class)
                        .isNotInstanceOf(java.net.http.HttpTimeoutException.class);
            }

            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            DevCluster.printBanner(cluster, dir, new PrintStream(banner, true, StandardCharsets.UTF_8));
            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("curl -s --cacert " + ca.toAbsolutePath() + " -X POST https://127.0.0.1:" + (base + 10) + "/shadow/")
                    .contains("--ca-file " + ca.toAbsolutePath()).contains("https://127.0.0.1:" + (base + 20) + "/health");
        }
        // the directory was made with --tls: a start without it is refused, naming the flag
        assertThatThrownBy(() -> DevCluster.start(3, dir, base, base + 10, base + 20, 0, false, quiet))
                .isInstanceOf(IOException.class).hasMessageContaining("made with --tls");
    }
}
