package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.client.Credentials;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.SecretStoreException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.cli.Components;
import dev.secretstore.cli.Main;
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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP endpoints 7 (Schnorr) and 8 (ECDSA) against three real key servers over real sockets: the
 * requester decrypts the blob with its own key and verifies the signature under the server key.
 */
class SigningIT {
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

    private String sig(KeyPair who, H256 keyId) {
        return Hex.encode(Ecdsa.sign(who.secret(), keyId).toBytes());
    }

    private HttpResponse<String> call(int node, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String unquote(String body) {
        assertThat(body).startsWith("\"0x").endsWith("\"");
        return body.substring(3, body.length() - 1);
    }

    private PublicPoint generate(H256 keyId, int t) throws Exception {
        HttpResponse<String> gen = call(0, "POST", "/shadow/" + keyId.toHex() + "/" + sig(author, keyId) + "/" + t);
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        return PublicPoint.fromHex(unquote(gen.body()));
    }

    private byte[] signed(int node, String kind, H256 keyId, H256 messageHash, int blobLength) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/" + kind + "/" + keyId.toHex() + "/" + sig(author, keyId) + "/" + messageHash.toHex());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String hex = unquote(r.body());
        assertThat(hex).hasSize(2 * blobLength);
        return Ecies.decryptFromServer(author.secret(), Hex.decode(hex));
    }

    @Test
    void schnorrAndEcdsaSignaturesVerifyUnderTheServerKey() throws Exception {
        H256 keyId = randomId();
        PublicPoint y = generate(keyId, 1);
        for (int node = 0; node < 3; node++) {
            H256 mh = randomId();
            SchnorrSignature s = SchnorrSignature.fromBytes(signed(node, "schnorr", keyId, mh, 177));
            assertThat(Schnorr.verify(y, mh, s)).as("Schnorr from node %d", node).isTrue();
            RecoverableSignature e = RecoverableSignature.fromBytes(signed(node, "ecdsa", keyId, mh, 178));
            assertThat(Ecdsa.recover(e, mh)).as("ECDSA from node %d", node).isEqualTo(y);
        }
        KeyPair stranger = KeyPair.random();
        HttpResponse<String> denied = call(1, "GET", "/schnorr/" + keyId.toHex() + "/" + sig(stranger, keyId) + "/" + randomId().toHex());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");
    }

    @Test
    void ecdsaWithoutHonestMajorityIs403AndSchnorrSurvivesOneNodeDown() throws Exception {
        H256 weak = randomId();
        generate(weak, 2); // 2t = 4 ≥ N = 3
        HttpResponse<String> r = call(2, "GET", "/ecdsa/" + weak.toHex() + "/" + sig(author, weak) + "/" + randomId().toHex());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("\"\\\"Consensus unreachable\\\"\"");

        H256 keyId = randomId();
        PublicPoint y = generate(keyId, 1);
        cluster.stop(2);
        H256 mh = randomId();
        assertThat(Schnorr.verify(y, mh, SchnorrSignature.fromBytes(signed(0, "schnorr", keyId, mh, 177)))).isTrue();
        HttpResponse<String> ecdsa = call(0, "GET", "/ecdsa/" + keyId.toHex() + "/" + sig(author, keyId) + "/" + mh.toHex());
        assertThat(ecdsa.statusCode()).as("2t+1 = 3 holders needed, 2 up").isEqualTo(403);
    }

    @Test
    void clientMethodsAndCliSignAndVerify() throws Exception {
        H256 keyId = randomId();
        PublicPoint y = generate(keyId, 1);
        Credentials creds = Credentials.fromSecretKey(author.secret().toBytes());
        SecretStoreClient client = SecretStoreClient.create(List.of(cluster.httpUrl(2), cluster.httpUrl(0)), creds);
        assertThat(client.retrieveServerKey(keyId)).isEqualTo(y);
        H256 mh = randomId();
        assertThat(Schnorr.verify(y, mh, client.signSchnorr(keyId, mh))).isTrue();
        assertThat(Schnorr.verify(y, mh, client.signSchnorr(keyId, mh, y))).isTrue();
        assertThat(Ecdsa.recover(client.signEcdsa(keyId, mh), mh)).isEqualTo(y);
        assertThat(Ecdsa.recover(client.signEcdsa(keyId, mh, y), mh)).isEqualTo(y);
        // the wrong expected key: the (valid) signature is refused
        PublicPoint other = KeyPair.random().publicKey();
        assertThatThrownBy(() -> client.signSchnorr(keyId, mh, other)).isInstanceOf(SecretStoreException.InvalidServerSignature.class);
        assertThatThrownBy(() -> client.signEcdsa(keyId, mh, other)).isInstanceOf(SecretStoreException.InvalidServerSignature.class);
        // a stranger: not the author (endpoint 4), not in the ACL (endpoint 7)
        SecretStoreClient stranger = SecretStoreClient.create(List.of(cluster.httpUrl(1)), Credentials.fromSecretKey(KeyPair.random().secret().toBytes()));
        assertThatThrownBy(() -> stranger.signSchnorr(keyId, mh)).isInstanceOf(SecretStoreException.AccessDenied.class);
        assertThatThrownBy(() -> stranger.signEcdsa(keyId, mh, y)).isInstanceOf(SecretStoreException.ConsensusUnreachable.class);

        // the CLI: sign --schnorr / --ecdsa, with and without --server-key; plain sign unchanged
        Path keyFile = dir.resolve("author.key");
        Files.writeString(keyFile, Hex.encode(author.secret().toBytes()));
        String urls = cluster.httpUrl(1) + "," + cluster.httpUrl(0);
        String schnorr = cli("sign", "--key-file", keyFile.toString(), "--key-id", keyId.toHex(), "--schnorr", mh.toHex(), "--url", urls);
        assertThat(Schnorr.verify(y, mh, SchnorrSignature.fromBytes(Hex.decode(schnorr)))).isTrue();
        String ecdsa = cli("sign", "--key-file", keyFile.toString(), "--key-id", "0x" + keyId.toHex(), "--ecdsa", "0x" + mh.toHex(),
                "--url", urls, "--server-key", y.toHex());
        assertThat(Ecdsa.recover(RecoverableSignature.fromHex(ecdsa), mh)).isEqualTo(y);
        assertThat(cli("sign", "--key-file", keyFile.toString(), "--key-id", keyId.toHex())).isEqualTo(sig(author, keyId));
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"sign", "--key-file", keyFile.toString(), "--key-id", keyId.toHex(), "--ecdsa", mh.toHex(),
                "--url", urls, "--server-key", other.toHex()}, new PrintWriter(new StringWriter()), new PrintWriter(err), Components.fromServiceLoader());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("InvalidServerSignature");
        code = Main.execute(new String[] {"sign", "--key-file", keyFile.toString(), "--key-id", keyId.toHex(), "--ecdsa", mh.toHex(),
                "--schnorr", mh.toHex()}, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Components.fromServiceLoader());
        assertThat(code).isNotZero();
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err), Components.fromServiceLoader());
        assertThat(code).as(err.toString()).isZero();
        return out.toString().trim();
    }
}
