package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    private final KeyPair author = KeyPair.random();

    @TempDir
    Path dir;

    private DevCluster.Running cluster;
    private DevClusterClient client;

    @BeforeEach
    void start() throws Exception {
        int base = TestPorts.base();
        cluster = DevCluster.start(3, dir, base, base + 10, base + 20, new PrintStream(PrintStream.nullOutputStream()));
        client = new DevClusterClient(cluster, author);
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void cliRefreshesAndOnlyTheAdministratorMayAsk_SEC24_SEC40() throws Exception {
        H256 keyId = DevClusterClient.randomId();
        HttpResponse<String> gen = client.call(0, "POST", "/" + keyId.toHex() + "/" + client.sig(keyId) + "/1", null); // endpoint 3
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        String documentKey = Hex.encode(Ecies.decryptFromServer(author.secret(), Hex.decode(DevClusterClient.unquote(gen.body()))));
        PublicPoint y = PublicPoint.fromHex(DevClusterClient.unquote(client.call(1, "GET", "/server/" + keyId.toHex() + "/" + client.sig(keyId), null).body()));

        // SEC-24: a node key's signature, and the administrator's set-change signature, are refused
        SecretScalar nodeKey = SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("node-0.key")).trim(), 32));
        String body = "[\"0x" + keyId.toHex() + "\"]";
        HttpResponse<String> r = client.call(0, "POST", "/admin/refresh_shares/"
                + Hex.encode(Ecdsa.sign(nodeKey, RefreshAuthorization.message(List.of(keyId))).toBytes()), body);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");
        SecretScalar admin = SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("admin.key")).trim(), 32));
        List<PublicPoint> all = cluster.nodes().stream().map(n -> n.id().publicKey()).toList();
        r = client.call(0, "POST", "/admin/refresh_shares/" + Hex.encode(Ecdsa.sign(admin, NodeSetHash.of(all)).toBytes()), "");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(client.metrics(0)).contains("secretstore_refreshed_keys_total 0");

        // the CLI: one key, then every key node 1 holds
        assertThat(DevClusterClient.cli("refresh-shares", "--dev", dir.toString(), "--key", keyId.toHex())).isZero();
        assertThat(DevClusterClient.cli("refresh-shares", "--dev", dir.toString(), "--url", cluster.httpUrl(1))).isZero();
        assertThat(client.metrics(0)).contains("secretstore_refreshed_keys_total 1");
        assertThat(client.metrics(1)).contains("secretstore_refreshed_keys_total 1");

        for (int node = 0; node < 3; node++) assertThat(client.documentKey(node, keyId)).isEqualTo(documentKey);
        H256 mh = DevClusterClient.randomId();
        HttpResponse<String> schnorr = client.call(2, "GET", "/schnorr/" + keyId.toHex() + "/" + client.sig(keyId) + "/" + mh.toHex(), null);
        assertThat(schnorr.statusCode()).as(schnorr.body()).isEqualTo(200);
        SchnorrSignature s = SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), Hex.decode(DevClusterClient.unquote(schnorr.body()))));
        assertThat(Schnorr.verify(y, mh, s)).isTrue();
    }

    /** SEC-32, docs/auth.md §7: the CLI's administrator authorization is accepted once; its replay is refused. */
    @Test
    void theAdministratorsFreshAuthorizationIsAcceptedOnceAndItsReplayRefused() throws Exception {
        H256 keyId = DevClusterClient.randomId();
        java.io.StringWriter out = new java.io.StringWriter();
        int code = dev.secretstore.cli.Main.execute(new String[] {"refresh-shares", "--dev", dir.toString(), "--key", keyId.toHex(), "--print"},
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(out, true), new dev.secretstore.cli.Components() {
                    @Override
                    public java.util.Optional<dev.secretstore.node.cli.NodeRunner> nodeRunner() {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public java.util.Optional<dev.secretstore.cli.DevClusterRunner> devClusterRunner() {
                        return java.util.Optional.empty();
                    }
                });
        assertThat(code).as(out.toString()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("curl -X POST (\\S+) -H 'Secretstore-Authorization: ([^']+)' -d '([^']*)'")
                .matcher(out.toString().trim());
        assertThat(m.matches()).as(out.toString()).isTrue();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Supplier<java.net.http.HttpRequest> request = () -> java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.group(1)))
                .header("Secretstore-Authorization", m.group(2)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(m.group(3))).build();
        // an unknown key id: the refresh is tried and reported, which is all the authorization decides
        HttpResponse<String> first = http.send(request.get(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.body()).doesNotContain("authorization");
        HttpResponse<String> replay = http.send(request.get(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("bad authorization: already used");
    }
}
