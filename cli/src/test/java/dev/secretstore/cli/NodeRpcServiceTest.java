package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code node} command's JSON-RPC service (NodeRpcService): started from NodeConfig.rpc() on the node's keystore,
 * HTTPS with the node's certificate (SEC-34), and a port in use reported with the option that moves it.
 */
class NodeRpcServiceTest {
    private static final String SECRET = "6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509";

    @TempDir
    Path dir;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    NodeConfig config(int port, String ext) throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, "[rpc]\napis = [\"all\"]\nport = " + port + "\n[secretstore]\nself_secret = \"" + SECRET + "\"\n"
                + "server_set_contract = \"none\"\nacl_contract = \"none\"\nhttp_port = " + freePort() + "\n"
                + "[secretstore_ext]\nkeys_path = \"keys\"\n" + ext);
        return ConfigLoader.load(f);
    }

    static HttpResponse<String> post(HttpClient client, URI uri, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheKeystoreAccountsOnTheRpcPortAndClosesWithTheNode() throws Exception {
        KeyPair account = KeyPair.random();
        new Keystore(dir.resolve("keys")).store(account, "pw", new KeystoreFile.ScryptParams(1024, 8, 1));
        int port = freePort();
        StringWriter log = new StringWriter();
        List<AutoCloseable> started = new NodeRpcService().start(config(port, ""), new PrintWriter(log, true));
        URI uri = URI.create("http://127.0.0.1:" + port);
        try {
            assertThat(log.toString()).contains("rpc: secretstore_* JSON-RPC listening on " + uri + " with 1 account(s)");
            HttpResponse<String> sig = post(HttpClient.newHttpClient(), uri, "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_signRawHash\","
                    + "\"params\":[\"" + account.address().toHex() + "\",\"pw\",\"0x" + "ab".repeat(32) + "\"],\"id\":1}");
            assertThat(sig.body()).startsWith("{\"jsonrpc\":\"2.0\",\"result\":\"0x");
            assertThat(post(HttpClient.newHttpClient(), uri, "{\"jsonrpc\":\"2.0\",\"method\":\"personal_listAccounts\",\"id\":2}").body())
                    .isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":2}");
        } finally {
            for (AutoCloseable c : started) c.close();
        }
        assertThatThrownBy(() -> post(HttpClient.newHttpClient(), uri, "{}")).isInstanceOf(IOException.class);
    }

    @Test
    void sec34_servesHttpsWithTheNodesCertificate() throws Exception {
        var ca = dev.secretstore.http.tls.DevelopmentCa.create("node rpc test CA");
        ca.issueLocal("node").write(dir.resolve("node.pem"), dir.resolve("node.key"));
        int port = freePort();
        List<AutoCloseable> started = new NodeRpcService().start(
                config(port, "tls_certificate = \"node.pem\"\ntls_private_key = \"node.key\"\n"), new PrintWriter(new StringWriter()));
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpResponse<String> r = post(HttpClient.newBuilder().sslContext(ssl).build(), URI.create("https://127.0.0.1:" + port),
                    "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}");
            assertThat(r.body()).contains("Method not found");
        } finally {
            for (AutoCloseable c : started) c.close();
        }
    }

    @Test
    void aPortInUseNamesTheListenerAndTheOptionThatMovesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            NodeConfig c = config(taken.getLocalPort(), "");
            assertThatThrownBy(() -> new NodeRpcService().start(c, new PrintWriter(new StringWriter())))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " is taken: the JSON-RPC listener cannot listen on 127.0.0.1:"
                            + taken.getLocalPort())
                    .hasMessageContaining("move the JSON-RPC listener with [rpc] interface/port");
        }
    }

    @Test
    void nothingStartsWhenTheConfigurationAsksForNoService() throws Exception {
        Path f = dir.resolve("plain.toml");
        Files.writeString(f, "[secretstore]\nself_secret = \"" + SECRET + "\"\nserver_set_contract = \"none\"\nacl_contract = \"none\"\n");
        assertThat(new NodeRpcService().start(ConfigLoader.load(f), new PrintWriter(new StringWriter()))).isEmpty();
    }
}
