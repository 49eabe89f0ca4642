package dev.secretstore.cli.eth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.DocumentCipher;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.cli.ClusterInit;
import dev.secretstore.cli.eth.AclContract;
import dev.secretstore.cli.eth.Anvil;
import dev.secretstore.cli.eth.ChainAclConfig;
import dev.secretstore.node.eth.EthRpc;
import dev.secretstore.cli.dev.DevCluster;
import dev.secretstore.cli.dev.TestPorts;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-chain ACL end to end: a real anvil (installed by the build from npm, started here on a free
 * port), the committed contract bytecode deployed with a locally signed transaction, and a real 3-node
 * cluster whose nodes all check {@code checkPermissions} through {@code eth_call}. Never skipped: a
 * missing anvil fails the test.
 */
class ChainAclIT {
    private static final SecureRandom RNG = new SecureRandom();
    private static final String DENIED = "\"\\\"Consensus unreachable\\\"\"";
    private static final String ACCESS_DENIED = "\"\\\"Access denied\\\"\"";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private Anvil anvil;
    private DevCluster.Running cluster;
    private AclContract acl;
    private Address contract;
    private KeyPair publisher;

    @BeforeEach
    void start() throws Exception {
        Path bin = Anvil.locate().orElseThrow(() -> new AssertionError(
                "anvil is not installed: run ./mvnw verify (it installs @foundry-rs/anvil into .tools/anvil with npm)"));
        anvil = Anvil.start(bin, Anvil.freePort(), dir.resolve("chain"));
        publisher = anvil.devAccount(); // funded: pays for deploy and grants
        acl = new AclContract(new EthRpc(anvil.url(), Duration.ofSeconds(5)));
        contract = acl.deploy(publisher);

        int base = TestPorts.base();
        Path clusterDir = dir.resolve("cluster");
        ClusterInit.Plan plan = ClusterInit.plan(3, clusterDir, base, base + 10, base + 20);
        ClusterInit.write(plan);
        for (int i = 0; i < 3; i++) {
            ChainAclConfig.useContract(plan.configFile(i), anvil.url(), contract, 2000);
            // SEC-35: the contract decides who may create keys too (anyone while it lists no creator)
            Path config = plan.configFile(i);
            String toml = java.nio.file.Files.readString(config);
            assertThat(toml).contains("[secretstore_ext]\n").doesNotContain("key_creators");
            java.nio.file.Files.writeString(config, toml.replace("[secretstore_ext]\n", "[secretstore_ext]\nkey_creators = \"contract\"\n"));
        }
        cluster = DevCluster.start(3, clusterDir, base, base + 10, base + 20, new PrintStream(PrintStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
        if (anvil != null) anvil.close();
    }

    private static H256 randomKeyId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private static String sig(KeyPair who, H256 keyId) {
        return Hex.encode(Ecdsa.sign(who.secret(), keyId).toBytes());
    }

    private HttpResponse<String> call(int node, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> generate(int node, KeyPair who) throws Exception {
        H256 keyId = randomKeyId();
        return call(node, "POST", "/shadow/" + keyId.toHex() + "/" + sig(who, keyId) + "/1");
    }

    private PublicPoint publish(H256 keyId) throws Exception {
        HttpResponse<String> gen = call(0, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        PublicPoint serverKey = PublicPoint.fromHex(gen.body().substring(3, gen.body().length() - 1));
        DocumentKey.Generated doc = DocumentKey.generate(serverKey, RNG);
        HttpResponse<String> store = call(1, "POST", "/shadow/" + keyId.toHex() + "/" + sig(publisher, keyId) + "/"
                + doc.encrypted().commonPoint().toHex() + "/" + doc.encrypted().encryptedPoint().toHex());
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        return doc.documentKey();
    }

    private HttpResponse<String> shadows(int node, H256 keyId, KeyPair who) throws Exception {
        return call(node, "GET", "/shadow/" + keyId.toHex() + "/" + sig(who, keyId));
    }

    private PublicPoint decrypt(HttpResponse<String> r, KeyPair consumer) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        List<SecretScalar> s = new ArrayList<>();
        for (JsonNode blob : body.get("decrypt_shadows")) {
            s.add(SecretScalar.fromBytes(Ecies.decryptFromServer(consumer.secret(), Hex.decode(blob.asText().substring(2)))));
        }
        return Decryption.clientCombine(PublicPoint.fromHex(body.get("decrypted_secret").asText()),
                PublicPoint.fromHex(body.get("common_point").asText()), s);
    }

    private static void assertDenied(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).isEqualTo(DENIED);
    }

    @Test
    void publishGrantConsumeRevoke() throws Exception {
        H256 keyId = randomKeyId();
        PublicPoint m = publish(keyId);
        KeyPair consumer = KeyPair.random();
        KeyPair stranger = KeyPair.random();

        // before any grant nobody (not even the author) is on the contract
        assertDenied(shadows(2, keyId, consumer));

        acl.grant(publisher, contract, keyId, consumer.address());
        assertThat(acl.owner(contract, keyId)).isEqualTo(publisher.address());
        assertThat(acl.check(contract, consumer.address(), keyId)).isTrue();

        byte[] ciphertext = DocumentCipher.encrypt(m, "{\"url\":\"https://example.com/asset\"}".getBytes(StandardCharsets.UTF_8));
        for (int node = 0; node < 3; node++) {
            PublicPoint combined = decrypt(shadows(node, keyId, consumer), consumer);
            assertThat(combined).isEqualTo(m);
            assertThat(new String(DocumentCipher.decrypt(combined, ciphertext), StandardCharsets.UTF_8)).contains("example.com/asset");
        }
        // the owner is allowed too; a stranger is not
        assertThat(decrypt(shadows(1, keyId, publisher), publisher)).isEqualTo(m);
        assertDenied(shadows(0, keyId, stranger));

        // only the owner may grant or revoke: a funded non-owner's transactions revert
        KeyPair other = KeyPair.fromSecretBytes(Hex.decode(Anvil.DEV_ACCOUNT_1_SECRET));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> acl.grant(other, contract, keyId, other.address()))
                .hasMessageContaining("reverted");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> acl.revoke(other, contract, keyId, consumer.address()))
                .hasMessageContaining("reverted");
        assertThat(acl.check(contract, other.address(), keyId)).isFalse();

        acl.revoke(publisher, contract, keyId, consumer.address());
        assertDenied(shadows(0, keyId, consumer)); // the very next request
        assertDenied(shadows(2, keyId, consumer));
        assertThat(decrypt(shadows(2, keyId, publisher), publisher)).isEqualTo(m);
    }

    @Test
    void chainStoppedMidRunDeniesAndRecoversWhenItReturns() throws Exception {
        H256 keyId = randomKeyId();
        PublicPoint m = publish(keyId);
        KeyPair consumer = KeyPair.random();
        acl.grant(publisher, contract, keyId, consumer.address());
        assertThat(decrypt(shadows(0, keyId, consumer), consumer)).isEqualTo(m);

        anvil.stop();
        for (int node = 0; node < 3; node++) {
            HttpResponse<String> r = shadows(node, keyId, consumer);
            // fail closed; the master's own check cannot be made, so Parity's 500 (acl-and-config.md §2.4)
            assertThat(r.statusCode()).as("fail closed: " + r.body()).isEqualTo(500);
            assertThat(r.body()).startsWith("\"\\\"Internal error: ").doesNotContain("decrypt_shadows");
        }

        anvil.restart(); // same port, state reloaded from its file
        assertThat(decrypt(shadows(1, keyId, consumer), consumer)).isEqualTo(m);
    }

    /** SEC-35, key_creators = "contract": the contract's admin lists creators; once one is listed only listed ones generate. */
    @Test
    void sec35_theContractDecidesWhoMayCreateKeys() throws Exception {
        KeyPair creator = KeyPair.random();
        KeyPair second = KeyPair.random();
        KeyPair stranger = KeyPair.random();
        // nobody listed yet: anyone may (publish() in the other tests relies on it too)
        assertThat(acl.canCreateKeys(contract, stranger.address())).isTrue();
        assertThat(generate(2, stranger).statusCode()).isEqualTo(200);

        // only the admin (the deployer) may list creators
        KeyPair other = KeyPair.fromSecretBytes(Hex.decode(Anvil.DEV_ACCOUNT_1_SECRET));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> acl.setKeyCreator(other, contract, other.address(), true))
                .hasMessageContaining("reverted");

        acl.setKeyCreator(publisher, contract, creator.address(), true);
        acl.setKeyCreator(publisher, contract, second.address(), true);
        assertThat(acl.canCreateKeys(contract, creator.address())).isTrue();
        assertThat(acl.canCreateKeys(contract, stranger.address())).isFalse();
        for (int node = 0; node < 3; node++) {
            HttpResponse<String> ok = generate(node, creator);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            HttpResponse<String> refused = generate(node, stranger);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(refused.body()).isEqualTo(ACCESS_DENIED);
        }

        acl.setKeyCreator(publisher, contract, creator.address(), false);
        HttpResponse<String> unlisted = generate(1, creator); // the very next request
        assertThat(unlisted.statusCode()).as(unlisted.body()).isEqualTo(403);
        assertThat(unlisted.body()).isEqualTo(ACCESS_DENIED);
        assertThat(generate(1, second).statusCode()).isEqualTo(200);

        // the chain gone: nobody may create keys (fail closed), not even a listed creator
        anvil.stop();
        HttpResponse<String> down = generate(0, second);
        assertThat(down.statusCode()).as(down.body()).isEqualTo(403);
        assertThat(down.body()).isEqualTo(ACCESS_DENIED);
    }
}
