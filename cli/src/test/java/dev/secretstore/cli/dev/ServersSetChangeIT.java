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
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP endpoint 9 against four real key servers over real sockets and SQLite stores: a node leaves and
 * comes back, the document key and signing keep working throughout, and the refusals answer as
 * http-api.md §6 endpoint 9 says (SEC-24, SEC-26).
 */
class ServersSetChangeIT {
    private final KeyPair author = KeyPair.random();

    @TempDir
    Path dir;

    private DevCluster.Running cluster;
    private DevClusterClient client;

    @BeforeEach
    void start() throws Exception {
        int base = TestPorts.base();
        cluster = DevCluster.start(4, dir, base, base + 10, base + 20, new PrintStream(PrintStream.nullOutputStream()));
        client = new DevClusterClient(cluster, author);
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private List<PublicPoint> ids(int... nodes) {
        List<PublicPoint> out = new ArrayList<>();
        for (int i : nodes) out.add(cluster.nodes().get(i).id().publicKey());
        return out;
    }

    private HttpResponse<String> change(int node, SecretScalar signer, List<PublicPoint> oldSet, List<PublicPoint> newSet) throws Exception {
        String oldSig = Hex.encode(Ecdsa.sign(signer, NodeSetHash.of(oldSet)).toBytes());
        String newSig = Hex.encode(Ecdsa.sign(signer, NodeSetHash.of(newSet)).toBytes());
        String body = newSet.stream().map(p -> "\"0x" + p.toHex() + "\"").collect(Collectors.joining(",", "[", "]"));
        return client.call(node, "POST", "/admin/servers_set_change/" + oldSig + "/" + newSig, body);
    }

    private SecretScalar adminKey() throws Exception {
        return SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("admin.key")).trim(), 32));
    }

    @Test
    void aNodeLeavesAndComesBackWhileTheKeyKeepsWorking() throws Exception {
        H256 keyId = DevClusterClient.randomId();
        HttpResponse<String> gen = client.call(0, "POST", "/" + keyId.toHex() + "/" + client.sig(keyId) + "/1", null); // endpoint 3
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        String documentKey = Hex.encode(Ecies.decryptFromServer(author.secret(), Hex.decode(DevClusterClient.unquote(gen.body()))));
        PublicPoint y = PublicPoint.fromHex(DevClusterClient.unquote(client.call(1, "GET", "/server/" + keyId.toHex() + "/" + client.sig(keyId), null).body()));

        // node 3 leaves: the CLI signs the sets with dev-cluster/admin.key, as the README shows
        assertThat(DevClusterClient.cli("servers-set-change", "--dev", dir.toString(), "--new-set", "0,1,2")).isZero();
        assertThat(client.documentKey(1, keyId)).isEqualTo(documentKey);
        // node 3 forgot its share (SEC-26); as any member it still answers for the key, through the holders (SEC-40)
        assertThat(client.documentKey(3, keyId)).as("through node 3, which holds no share any more").isEqualTo(documentKey);
        H256 mh = DevClusterClient.randomId();
        HttpResponse<String> schnorr = client.call(2, "GET", "/schnorr/" + keyId.toHex() + "/" + client.sig(keyId) + "/" + mh.toHex(), null);
        assertThat(schnorr.statusCode()).as(schnorr.body()).isEqualTo(200);
        SchnorrSignature s = SchnorrSignature.fromBytes(Ecies.decryptFromServer(author.secret(), Hex.decode(DevClusterClient.unquote(schnorr.body()))));
        assertThat(Schnorr.verify(y, mh, s)).isTrue();

        // and comes back: it gets a fresh share of the same key
        HttpResponse<String> back = change(2, adminKey(), ids(0, 1, 2, 3), ids(0, 1, 2, 3));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(back.body()).isEmpty();
        assertThat(back.headers().firstValue("Content-Type")).isEmpty();
        assertThat(client.documentKey(3, keyId)).isEqualTo(documentKey);
        cluster.stop(0);
        assertThat(client.documentKey(3, keyId)).as("t+1 of the new version without node 0").isEqualTo(documentKey);
    }

    @Test
    void refusalsAnswerAsParityDoes() throws Exception {
        H256 keyId = DevClusterClient.randomId();
        assertThat(client.call(0, "POST", "/shadow/" + keyId.toHex() + "/" + client.sig(keyId) + "/2", null).statusCode()).isEqualTo(200);

        // SEC-24: signed by a node key instead of the administrator's
        SecretScalar nodeKey = SecretScalar.fromBytes(Hex.decode(Files.readString(dir.resolve("node-0.key")).trim(), 32));
        HttpResponse<String> r = change(0, nodeKey, ids(0, 1, 2, 3), ids(0, 1, 2));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");

        // SEC-24: an old set that is not the node's view
        r = change(0, adminKey(), ids(0, 1, 2), ids(0, 1, 2));
        assertThat(r.statusCode()).isEqualTo(403);

        // SEC-26: t = 2 needs three holders
        r = change(1, adminKey(), ids(0, 1, 2, 3), ids(0, 1));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("\"\\\"not enough nodes for passed threshold\\\"\"");
        assertThat(documentKeyStored(keyId)).isTrue();

        // the ops listener counted all of it (design decision 11)
        assertThat(client.metrics(0)).contains("secretstore_http_requests_total{op=\"servers_set_change\",status=\"403\"} 2")
                .contains("secretstore_cluster_peers_connected 3");
        HttpResponse<String> health = client.ops(0, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private boolean documentKeyStored(H256 keyId) throws Exception {
        HttpResponse<String> r = client.call(3, "GET", "/server/" + keyId.toHex() + "/" + client.sig(keyId), null);
        return r.statusCode() == 200;
    }
}
