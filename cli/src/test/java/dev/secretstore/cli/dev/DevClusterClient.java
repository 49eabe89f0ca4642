package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.cli.Components;
import dev.secretstore.cli.Main;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Optional;

/** What the dev-cluster integration tests do as a client: HTTP calls to one node as one author, and the CLI in-process. */
final class DevClusterClient {
    private static final SecureRandom RNG = new SecureRandom();

    private final HttpClient http = HttpClient.newHttpClient();
    private final DevCluster.Running cluster;
    final KeyPair author;

    DevClusterClient(DevCluster.Running cluster, KeyPair author) {
        this.cluster = cluster;
        this.author = author;
    }

    static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    /** The author's Parity signature over a key id. */
    String sig(H256 keyId) {
        return Hex.encode(Ecdsa.sign(author.secret(), keyId).toBytes());
    }

    HttpResponse<String> call(int node, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A {@code "0x…"} JSON string body without its quotes and prefix. */
    static String unquote(String body) {
        assertThat(body).startsWith("\"0x").endsWith("\"");
        return body.substring(3, body.length() - 1);
    }

    /** Endpoint 5 at {@code node}: the document key, decrypted by the author. */
    String documentKey(int node, H256 keyId) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/" + keyId.toHex() + "/" + sig(keyId), null);
        assertThat(r.statusCode()).as("node %d: %s", node, r.body()).isEqualTo(200);
        return Hex.encode(Ecies.decryptFromServer(author.secret(), Hex.decode(unquote(r.body()))));
    }

    /** GET {@code path} on a node's ops listener (health and metrics). */
    HttpResponse<String> ops(int node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.nodes().get(node).opsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A node's /metrics text. */
    String metrics(int node) throws Exception {
        return ops(node, "/metrics").body();
    }

    /** Runs the command line in this JVM (no node or dev runner); returns its exit code. */
    static int cli(String... args) {
        Components none = new Components() {
            @Override
            public Optional<dev.secretstore.node.cli.NodeRunner> nodeRunner() {
                return Optional.empty();
            }

            @Override
            public Optional<dev.secretstore.cli.DevClusterRunner> devClusterRunner() {
                return Optional.empty();
            }
        };
        StringWriter out = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(out, true), none);
        assertThat(out.toString()).as("cli output").isNotEmpty();
        return code;
    }
}
