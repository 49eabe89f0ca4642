package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.cli.dev.TestPorts;
import dev.secretstore.crypto.Hex;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes of cli/target/secretstore.jar started from a Parity Ethereum configuration as an operator has it
 * (src/test/resources/parity-dropin: {@code self_secret} by account address, Parity's keystore under {@code base_path},
 * {@code [account] password} files, {@code [rpc]} with the secretstore API, Parity's other sections), each from its
 * directory as {@code parity --config node-i.toml} would run. The files are copied unchanged except their port
 * numbers (cluster 12000–12002, HTTP 8090–8092, JSON-RPC 8545/8555/8565), which are moved to a free range so the
 * test can run beside anything; the ops listeners take their default (HTTP port + 100). Logs stay in
 * {@code cli/target/parity-dropin-*}.
 */
class ParityDropInIT {
    private static final Path JAR = Path.of(System.getProperty("secretstore.jar", "target/secretstore.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern PEERS = Pattern.compile("^secretstore_cluster_peers_connected (\\d+)", Pattern.MULTILINE);
    private static final SecureRandom RNG = new SecureRandom();
    /** The publisher's account, in node 0's keystore (the test fixture's). */
    private static final String PUBLISHER = "0xcd71323bcd9b0e6f18c039e4dc323e591eaf557a";
    private static final String PUBLISHER_PASSWORD = "publisher-password";
    /** Node 1's own account (its node key), served by node 1's JSON-RPC as an account of its keystore. */
    private static final String NODE1 = "0x5e4b031ad78ba4338daea708d8a58cb8899181fe";

    private static Path dir;
    private static int base;
    private static final List<Process> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "parity-dropin-").toAbsolutePath();
        System.out.println("configurations, keystores, data and node logs in " + dir);
        Path fixture = Path.of("src/test/resources/parity-dropin");
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(fixture.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        base = TestPorts.base();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            ports.put(String.valueOf(12000 + i), base + i);
            ports.put(String.valueOf(8090 + i), base + 10 + i);
            ports.put(String.valueOf(8545 + 10 * i), base + 20 + i);
        }
        Pattern port = Pattern.compile("\\b(" + String.join("|", ports.keySet()) + ")\\b");
        for (int i = 0; i < 3; i++) {
            Path toml = dir.resolve("node-" + i + ".toml");
            Matcher m = port.matcher(Files.readString(toml));
            Files.writeString(toml, m.replaceAll(r -> String.valueOf(ports.get(r.group(1)))));
        }
        for (int i = 0; i < 3; i++) {
            nodes.add(new ProcessBuilder(JAVA, "-jar", JAR.toAbsolutePath().toString(), "node", "--config", "node-" + i + ".toml")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + i + ".log").toFile())).start());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!connected()) {
            for (Process p : nodes) {
                if (!p.isAlive()) throw new IllegalStateException("a node exited (" + p.exitValue() + "); logs in " + dir);
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("the cluster did not connect; logs in " + dir);
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : nodes) p.destroy();
        for (Process p : nodes) p.waitFor();
    }

    private static boolean connected() {
        for (int i = 0; i < 3; i++) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ops(i).resolve("/metrics")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Matcher m = PEERS.matcher(r.body());
                if (r.statusCode() != 200 || !m.find() || Integer.parseInt(m.group(1)) != 2) return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The ops listener of node i on its default port: the HTTP port + 100. */
    private static URI ops(int i) {
        return URI.create("http://127.0.0.1:" + (base + 110 + i));
    }

    private static URI http(int i) {
        return URI.create("http://127.0.0.1:" + (base + 10 + i));
    }

    private static URI rpcUri(int i) {
        return URI.create("http://127.0.0.1:" + (base + 20 + i));
    }

    private static JsonNode call(int node, String method, List<Object> params) throws Exception {
        String body = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "method", method, "params", params, "id", 7));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(rpcUri(node)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode rpc(int node, String account, String password, String method, Object... rest) throws Exception {
        List<Object> params = new ArrayList<>(List.of(account, password));
        params.addAll(List.of(rest));
        JsonNode n = call(node, method, params);
        assertThat(n.has("error")).as(n.toString()).isFalse();
        return n.get("result");
    }

    private static HttpResponse<String> keyServer(int node, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(http(node).resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String strip(String s) {
        String t = s.startsWith("\"") ? s.substring(1, s.length() - 1) : s;
        return t.startsWith("0x") ? t.substring(2) : t;
    }

    private static String newKeyId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return Hex.encode(b);
    }

    /**
     * The Ocean clients' sequence against the Parity-configured cluster: signRawHash, generate a server key (HTTP),
     * generateDocumentKey, store it (HTTP), encrypt; then retrieve by shadows (HTTP) and shadowDecrypt; and the
     * document key itself (HTTP endpoint 5) opened by secretstore_decrypt.
     */
    @Test
    void jsonRpcAndHttpFlowsWorkOnTheUnchangedParityFiles() throws Exception {
        String id = newKeyId();
        String document = "{\"files\": [\"https://example.com/parity.csv\"]}";
        String sig = strip(rpc(0, PUBLISHER, PUBLISHER_PASSWORD, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> gen = keyServer(1, "POST", "/shadow/" + id + "/" + sig + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        JsonNode dk = rpc(0, PUBLISHER, PUBLISHER_PASSWORD, "secretstore_generateDocumentKey", JSON.readTree(gen.body()).asText());
        HttpResponse<String> store = keyServer(2, "POST", "/shadow/" + id + "/" + sig + "/"
                + strip(dk.get("common_point").asText()) + "/" + strip(dk.get("encrypted_point").asText()));
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        String encrypted = rpc(0, PUBLISHER, PUBLISHER_PASSWORD, "secretstore_encrypt", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8))).asText();

        HttpResponse<String> shadows = keyServer(0, "GET", "/shadow/" + id + "/" + sig);
        assertThat(shadows.statusCode()).as(shadows.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(shadows.body());
        String plain = rpc(0, PUBLISHER, PUBLISHER_PASSWORD, "secretstore_shadowDecrypt", s.get("decrypted_secret").asText(),
                s.get("common_point").asText(), s.get("decrypt_shadows"), encrypted).asText();
        assertThat(new String(Hex.decode(strip(plain)), StandardCharsets.UTF_8)).isEqualTo(document);

        HttpResponse<String> key = keyServer(2, "GET", "/" + id + "/" + sig);
        assertThat(key.statusCode()).as(key.body()).isEqualTo(200);
        String opened = rpc(0, PUBLISHER, PUBLISHER_PASSWORD, "secretstore_decrypt", JSON.readTree(key.body()).asText(), encrypted).asText();
        assertThat(new String(Hex.decode(strip(opened)), StandardCharsets.UTF_8)).isEqualTo(document);
    }

    /** Every node serves its own keystore's accounts on its [rpc] port; Parity's other methods are "Method not found". */
    @Test
    void eachRpcServesItsKeystoreAndAnswersOtherParityMethodsWithMethodNotFound() throws Exception {
        String hash = "0x" + newKeyId();
        assertThat(rpc(1, NODE1, "node-1-password", "secretstore_signRawHash", hash).asText()).startsWith("0x").hasSize(132);
        // node 1's keystore does not hold the publisher's account
        assertThat(call(1, "secretstore_signRawHash", List.of(PUBLISHER, PUBLISHER_PASSWORD, hash)).has("error")).isTrue();
        for (int i = 0; i < 3; i++) {
            JsonNode n = call(i, "eth_blockNumber", List.of());
            assertThat(n.get("error").get("code").asInt()).isEqualTo(-32601);
            assertThat(n.get("error").get("message").asText()).isEqualTo("Method not found");
            assertThat(Files.readString(dir.resolve("node-" + i + ".log")))
                    .contains("rpc: secretstore_* JSON-RPC listening on " + rpcUri(i))
                    .doesNotContain("node-" + i + "-password");
        }
    }
}
