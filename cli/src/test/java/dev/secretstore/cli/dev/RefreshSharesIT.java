package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.cli.Components;
import dev.secretstore.cli.Main;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-demand share refresh against three real key servers over real sockets and SQLite stores: the CLI signs
 * with dev-cluster/admin.key, the route refuses every other signature (SEC-24), and the key keeps serving the same
 * document key and Schnorr signatures under the same Y afterwards (SEC-40).
 */
class RefreshSharesIT {
    private static final SecureRandom RNG = new SecureRandom();
    private final HttpClient http = HttpClient.newHttpClient();
    private final KeyPair author = KeyPair.random();

    @TempDir
    Path dir;

    private DevCluster.Running cluster;

    @BeforeEach
    void start() throws Exception {
        int base = TestPorts.base();
        cluster = DevCluster.start(3, dir, base, base + 10, base + 20, new PrintStream(PrintStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private String sig(H256 keyId) {
        return Hex.encode(Ecdsa.sign(author.secret(), keyId).toBytes());
    }

    private HttpResponse<String> call(int node, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String unquote(String body) {
        assertThat(body).startsWith("\"0x").endsWith("\"");
        return body.substring(3, body.length() - 1);
    }

    private String documentKey(int node, H256 keyId) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/" + keyId.toHex() + "/" + sig(keyId), null);
        assertThat(r.statusCode()).as("node %d: %s", node, r.body()).isEqualTo(200);
        return Hex.encode(Ecies.decryptFromServer(author.secret(), Hex.decode(unquote(r.body()))));
    }

    private int cli(String... args) {
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

    private String metrics(int node) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.nodes().get(node).opsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void cliRefreshesAndOnlyTheAdministratorMayAsk_SEC24_SEC40() throws Exception {
        H256 keyId = randomId();
        HttpResponse<String> gen = call(0, "POST", "/" + keyId.toHex() + "/" + sig(keyId) + "/1", null); // endpoint 3
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        String documentKey = Hex.encode(Ecies.decryptFromServer(author.secret(), Hex.decode(unquote(gen.body()))));
        PublicPoint y = PublicPoint.fromHex(unquote(call(1, "GET", "/server/" + keyId.toHex() + "/" + sig(keyId), null).body()));

        // SEC-24: a node key's signature, and the administrator's set-change signature, are refused
        SecretScalar nodeKey = SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("node-0.key")).trim(), 32));
        String body = "[\"0x" + keyId.toHex() + "\"]";
        HttpResponse<String> r = call(0, "POST", "/admin/refresh_shares/"
                + Hex.encode(Ecdsa.sign(nodeKey, RefreshAuthorization.message(List.of(keyId))).toBytes()), body);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");
        SecretScalar admin = SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("admin.key")).trim(), 32));
        List<PublicPoint> all = cluster.nodes().stream().map(n -> n.id().publicKey()).toList();
        r = call(0, "POST", "/admin/refresh_shares/" + Hex.encode(Ecdsa.sign(admin, NodeSetHash.of(all)).toBytes()), "");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(metrics(0)).contains("secretstore_refreshed_keys_total 0");

        // the CLI: one key, then every key node 1 holds
        assertThat(cli("refresh-shares", "--dev", dir.toString(), "--key", keyId.toHex())).isZero();
        assertThat(cli("refresh-shares", "--dev", dir.toString(), "--url", cluster.httpUrl(1))).isZero();
        assertThat(metrics(0)).contains("secretstore_refreshed_keys_total 1");
        assertThat(metrics(1)).contains("secretstore_refreshed_keys_total 1");

        for (int node = 0; node < 3; node++) assertThat(documentKey(node, keyId)).isEqualTo(documentKey);
        H256 mh = randomId();
        HttpResponse<String> schnorr = call(2, "GET", "/schnorr/" + keyId.toHex() + "/" + sig(keyId) + "/" + mh.toHex(), null);
        assertThat(schnorr.statusCode()).as(schnorr.body()).isEqualTo(200);
        SchnorrSignature s = SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), Hex.decode(unquote(schnorr.body()))));
        assertThat(Schnorr.verify(y, mh, s)).isTrue();
    }
}
