package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.client.Credentials;
import dev.secretstore.client.SecretStoreClient;
import dev.secretstore.client.SecretStoreException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 3-node development cluster with its JSON-RPC service: dev.json's rpc entry, the Java client
 * (publish with account 0, consume with the granted account 1, failover, typed errors), and the exact
 * call sequences of the Ocean JS, Python and Java clients through the rpc service.
 */
class ClientAndRpcIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final SecureRandom RNG = new SecureRandom();

    @TempDir
    static Path dir;
    static DevCluster.Running cluster;
    static List<DevCluster.RpcAccount> accounts;
    static int base;

    @BeforeAll
    static void start() throws Exception {
        base = TestPorts.base();
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        // SEC-39: secrets stay private even in a directory others may read
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        cluster = DevCluster.start(3, dir, base, base + 10, base + 20, quiet);
        assertPrivateFiles();
        accounts = cluster.rpcAccounts();
        assertThat(accounts).hasSize(2);
        JsonNode devJson = JSON.readTree(cluster.devJson().toFile());
        assertThat(devJson.get("nodes")).hasSize(3);
        assertThat(devJson.get("requester_key_file").asText()).isEqualTo(DevCluster.REQUESTER_KEY);
        // SEC-32: the cluster id fresh authorizations are signed for, as GET /cluster reports it
        assertThat(devJson.get("cluster_id").asText()).isEqualTo("0x" + cluster.nodes().get(0).clusterId().toHex())
                .isEqualTo(JSON.readTree(keyServer(2, "GET", "/cluster").body()).get("cluster_id").asText());
        // issue #15: each node's ops URL, whose /health sees all three members connected
        for (int i = 0; i < 3; i++) {
            String ops = devJson.at("/nodes/" + i + "/ops").asText();
            assertThat(ops).isEqualTo(cluster.opsUrl(i));
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(ops + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).get("members_connected")).hasSize(3);
            assertThat(JSON.readTree(health.body()).get("serving_threshold").asInt()).isEqualTo(2);
            // SEC-29: each node's audit file
            assertThat(java.nio.file.Path.of(devJson.at("/nodes/" + i + "/audit").asText())).isAbsolute()
                    .isEqualTo(cluster.nodes().get(i).auditFile().toAbsolutePath()).isRegularFile();
        }
        assertThat(devJson.at("/rpc/url").asText()).isEqualTo(cluster.rpcUrl());
        assertThat(devJson.at("/rpc/accounts/1/address").asText()).isEqualTo(accounts.get(1).address());
        assertThat(devJson.at("/rpc/accounts/1/password").asText()).isEqualTo(accounts.get(1).password());
        assertThat(dir.resolve(devJson.at("/rpc/accounts/1/keystore").asText())).exists();
        cluster.close();
        for (int i = 0; i < 3; i++) { // SEC-29: closed with a signed checkpoint, the chain checks
            var report = dev.secretstore.node.audit.AuditVerifier.verify(java.nio.file.Path.of(devJson.at("/nodes/" + i + "/audit").asText()),
                    java.util.Optional.of(cluster.nodes().get(i).id()));
            assertThat(report.ok()).as(report.reason()).isTrue();
            assertThat(report.checkpoints()).isPositive();
        }
        // grant account 1 every key, then restart: the accounts are reused
        Files.writeString(dir.resolve("acl-policy.toml"), "\n[[grant]]\naddress = \"" + accounts.get(1).address()
                + "\"\nkey_id = \"*\"\n", StandardOpenOption.APPEND);
        cluster = DevCluster.start(3, dir, base, base + 10, base + 20, quiet);
        assertThat(cluster.rpcAccounts()).isEqualTo(accounts);
        assertPrivateFiles(); // dev.json rewritten on restart: still private
    }

    /** SEC-39: dev.json (passwords), the requester key, the node keys and the JSON-RPC accounts are 0600. */
    static void assertPrivateFiles() throws Exception {
        List<Path> secrets = new java.util.ArrayList<>(List.of(cluster.devJson(), dir.resolve(DevCluster.REQUESTER_KEY),
                dir.resolve("admin.key"), dir.resolve(DevCluster.RPC_ACCOUNTS)));
        for (int i = 0; i < 3; i++) secrets.add(dir.resolve("node-" + i + ".key"));
        try (java.util.stream.Stream<Path> ks = Files.list(dir.resolve(DevCluster.RPC_KEYSTORE))) {
            ks.forEach(secrets::add);
        }
        assertThat(secrets).hasSizeGreaterThan(8).allSatisfy(f -> assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                .isEqualTo("rw-------"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(DevCluster.RPC_KEYSTORE)))).isEqualTo("rwx------");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    static Credentials credentials(int account) throws Exception {
        DevCluster.RpcAccount a = accounts.get(account);
        return Credentials.fromKeystore(dir.resolve(a.keystore()), a.password());
    }

    static String newKeyId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return Hex.encode(b);
    }

    @Test
    void javaClientPublishesAndAGrantedAccountConsumes() throws Exception {
        String dead = "http://127.0.0.1:" + (base + 9);
        SecretStoreClient publisher = SecretStoreClient.create(List.of(dead, cluster.httpUrl(0)), credentials(0));
        SecretStoreClient consumer = SecretStoreClient.create(List.of(dead, cluster.httpUrl(2), cluster.httpUrl(1)), credentials(1));
        String id = newKeyId();
        String encrypted = publisher.encryptDocument(id, "hello, secret store", 1);
        assertThat(encrypted).matches("0x[0-9a-f]{70}");
        assertThat(consumer.decryptDocumentToString(id, encrypted)).isEqualTo("hello, secret store");
        assertThat(consumer.decryptDocumentToString("0x" + id.toUpperCase(Locale.ROOT), encrypted.substring(2).toUpperCase(Locale.ROOT)))
                .isEqualTo("hello, secret store");
        assertThat(publisher.decryptDocumentToString(id, encrypted)).isEqualTo("hello, secret store");
        assertThat(consumer.retrieveDocumentKey(H256.fromHex(id)))
                .isEqualTo(publisher.documentKeyFromShadows(publisher.retrieveShadows(H256.fromHex(id))));

        // re-publishing says so
        assertThatThrownBy(() -> publisher.encryptDocument(id, "again", 1))
                .isInstanceOf(SecretStoreException.AlreadyExists.class)
                .hasMessageContaining("already published")
                .satisfies(e -> assertThat(((SecretStoreException) e).parityMessage()).isEqualTo("Server key with this ID is already generated"));
        // an account without a grant is refused by the ACL
        SecretStoreClient stranger = SecretStoreClient.create(List.of(cluster.httpUrl(0)), Credentials.fromSecretHex(newKeyId()));
        assertThatThrownBy(() -> stranger.decryptDocument(id, encrypted))
                .isInstanceOf(SecretStoreException.ConsensusUnreachable.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).status()).isEqualTo(403));
        // unknown key id
        assertThatThrownBy(() -> consumer.decryptDocument(newKeyId(), encrypted)).isInstanceOf(SecretStoreException.NotFound.class);
        // no reachable server
        SecretStoreClient nowhere = SecretStoreClient.create(List.of(dead), credentials(0));
        assertThatThrownBy(() -> nowhere.encryptDocument(newKeyId(), "x", 1)).isInstanceOf(SecretStoreException.TransportFailure.class);
        // threshold too high
        assertThatThrownBy(() -> publisher.encryptDocument(newKeyId(), "x", 3)).isInstanceOf(SecretStoreException.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).status()).isEqualTo(500));
    }

    /** SEC-32, docs/auth.md §6: against a real node the client discovers the cluster and authorizes every request itself. */
    @Test
    void javaClientUsesFreshAuthorizationsAgainstARealNode() throws Exception {
        SecretStoreClient publisher = SecretStoreClient.builder(List.of(cluster.httpUrl(0)), credentials(0))
                .authorization(SecretStoreClient.AuthorizationMode.FRESH_ONLY).build();
        String id = newKeyId();
        String encrypted = publisher.encryptDocument(id, "fresh", 1);
        SecretStoreClient consumer = SecretStoreClient.builder(List.of(cluster.httpUrl(1)), credentials(1))
                .authorization(SecretStoreClient.AuthorizationMode.FRESH_ONLY).build();
        assertThat(consumer.decryptDocumentToString(id, encrypted)).isEqualTo("fresh");
        // the node checks the header: an authorization for another cluster is refused, never taken for a static signature
        SecretStoreClient foreign = SecretStoreClient.builder(List.of(cluster.httpUrl(1)), credentials(1))
                .clusterId(dev.secretstore.crypto.auth.ClusterId.ofName("elsewhere")).build();
        assertThatThrownBy(() -> foreign.decryptDocumentToString(id, encrypted)).isInstanceOf(SecretStoreException.InvalidInput.class)
                .satisfies(e -> assertThat(((SecretStoreException) e).parityMessage()).contains("bad authorization"));
    }

    /**
     * SEC-32, docs/auth.md §6: a shell script's path with curl. {@code ./secretstore authorize} asks the node for the cluster
     * and its clock; the header authorizes one shadow retrieval once; its replay and a header for another operation are
     * refused with 400 by the real node.
     */
    @Test
    void authorizeCommandsHeaderWorksOnceWithAnHttpClient() throws Exception {
        Path key = dir.resolve(DevCluster.REQUESTER_KEY);
        SecretStoreClient publisher = SecretStoreClient.builder(List.of(cluster.httpUrl(0)),
                Credentials.fromSecretHex(Files.readString(key).trim())).build();
        String id = newKeyId();
        publisher.encryptDocument(id, "curl", 1);
        String header = cli(new byte[0], new java.io.ByteArrayOutputStream(), "authorize", "--key-file", key.toString(), "--key-id", id,
                "--operation", "shadow", "--url", cluster.httpUrl(1));
        String anySignature = "00".repeat(32) + "01".repeat(32) + "00"; // ignored when the header is present
        java.util.function.Function<String, HttpResponse<String>> get = h -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(1) + "/shadow/" + id + "/" + anySignature))
                        .header(dev.secretstore.crypto.auth.Authorization.HEADER, h).GET().build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        HttpResponse<String> first = get.apply(header);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).get("decrypt_shadows")).hasSize(2);
        HttpResponse<String> replay = get.apply(header);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("bad authorization").contains("already used");
        String forEndpoint5 = cli(new byte[0], new java.io.ByteArrayOutputStream(), "authorize", "--key-file", key.toString(), "--key-id", id,
                "--operation", "document_key", "--url", cluster.httpUrl(1));
        HttpResponse<String> retargeted = get.apply(forEndpoint5);
        assertThat(retargeted.statusCode()).isEqualTo(400);
        assertThat(retargeted.body()).contains("bad authorization");
    }

    // ------------------------------------------------------------------ Ocean clients through the rpc service

    static JsonNode rpc(DevCluster.RpcAccount a, String method, Object... rest) throws Exception {
        List<Object> params = new java.util.ArrayList<>(List.of(a.address(), a.password()));
        params.addAll(List.of(rest));
        String body = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "method", method, "params", params, "id", 1));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.rpcUrl()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.has("error")).as(r.body()).isFalse();
        return n.get("result");
    }

    static HttpResponse<String> keyServer(int node, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String strip(String quoted) {
        String s = quoted.startsWith("\"") ? quoted.substring(1, quoted.length() - 1) : quoted;
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    @Test
    void oceanJsSequence() throws Exception {
        DevCluster.RpcAccount pub = accounts.get(0);
        String id = newKeyId();
        String document = "{\n  \"files\": [\n    \"https://example.com/data.csv\"\n  ]\n}";
        String sig = strip(rpc(pub, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> gen = keyServer(0, "POST", "/shadow/" + id + "/" + sig + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        JsonNode dk = rpc(pub, "secretstore_generateDocumentKey", JSON.readTree(gen.body()).asText());
        String sig2 = strip(rpc(pub, "secretstore_signRawHash", "0x" + id).asText());
        assertThat(sig2).isEqualTo(sig);
        HttpResponse<String> store = keyServer(0, "POST", "/shadow/" + id + "/" + sig2 + "/"
                + strip(dk.get("common_point").asText()) + "/" + strip(dk.get("encrypted_point").asText()));
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        String encrypted = rpc(pub, "secretstore_encrypt", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8))).asText();
        assertThat(oceanDecrypt(accounts.get(1), id, encrypted, 2)).isEqualTo(document);
        // and the Java client reads what the JS client published
        assertThat(SecretStoreClient.create(List.of(cluster.httpUrl(1)), credentials(1)).decryptDocumentToString(id, encrypted))
                .isEqualTo(document);
    }

    @Test
    void oceanPythonAndJavaSequence() throws Exception {
        DevCluster.RpcAccount pub = accounts.get(0);
        String id = newKeyId();
        String document = "[\"https://example.com/ünïcode.csv\"]";
        String sig = strip(rpc(pub, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> gen = keyServer(1, "POST", "/shadow/" + id + "/" + sig + "/1");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        JsonNode dk = rpc(pub, "secretstore_generateDocumentKey", JSON.readTree(gen.body()).asText());
        // Java (web3j) sends upper-case hex; Python and Java encrypt before storing
        String encrypted = rpc(pub, "secretstore_encrypt", dk.get("encrypted_key").asText(),
                "0x" + Hex.encode(document.getBytes(StandardCharsets.UTF_8)).toUpperCase(Locale.ROOT)).asText();
        HttpResponse<String> store = keyServer(1, "POST", "/shadow/" + id + "/" + sig + "/"
                + strip(dk.get("common_point").asText()) + "/" + strip(dk.get("encrypted_point").asText()));
        assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
        assertThat(oceanDecrypt(accounts.get(1), id, encrypted.toUpperCase(Locale.ROOT).replace("0X", "0x"), 0)).isEqualTo(document);
        // a document published by the Java client decrypts through the rpc service too
        String id2 = newKeyId();
        String enc2 = SecretStoreClient.create(List.of(cluster.httpUrl(0)), credentials(0)).encryptDocument(id2, document, 1);
        assertThat(oceanDecrypt(accounts.get(1), id2, enc2, 1)).isEqualTo(document);
    }

    /** Decrypt sequence of all three Ocean clients: signRawHash, GET /shadow/{id}/{sig}, shadowDecrypt. */
    static String oceanDecrypt(DevCluster.RpcAccount who, String id, String encrypted, int node) throws Exception {
        String sig = strip(rpc(who, "secretstore_signRawHash", "0x" + id).asText());
        HttpResponse<String> r = keyServer(node, "GET", "/shadow/" + id + "/" + sig);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(r.body());
        String plain = rpc(who, "secretstore_shadowDecrypt", s.get("decrypted_secret").asText(), s.get("common_point").asText(),
                s.get("decrypt_shadows"), encrypted).asText();
        assertThat(plain).startsWith("0x");
        return new String(Hex.decode(plain.substring(2)), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ CLI encrypt/decrypt --id

    static String cli(byte[] stdin, java.io.ByteArrayOutputStream rawOut, String... args) {
        java.io.InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        try {
            System.setIn(new java.io.ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(rawOut, true));
            int code = dev.secretstore.cli.Main.execute(args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
                    dev.secretstore.cli.Components.fromServiceLoader());
            assertThat(code).as(err.toString()).isZero();
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
        return out.toString().trim();
    }

    @Test
    void cliEncryptAndDecryptWithId() throws Exception {
        String id = newKeyId();
        Path pw = dir.resolve("pw0");
        Files.writeString(pw, accounts.get(0).password() + "\n");
        byte[] document = "line one\nline two ünïcode\n".getBytes(StandardCharsets.UTF_8);
        String encrypted = cli(document, new java.io.ByteArrayOutputStream(), "encrypt", "--id", id, "--threshold", "1",
                "--keystore", dir.resolve(accounts.get(0).keystore()).toString(), "--password-file", pw.toString(),
                "--url", "http://127.0.0.1:" + (base + 9) + "," + cluster.httpUrl(0));
        assertThat(encrypted).matches("0x[0-9a-f]+");
        // the consumer with a raw key file: account 1's key exported from its keystore
        Credentials c1 = credentials(1);
        Path pw1 = dir.resolve("pw1");
        Files.writeString(pw1, accounts.get(1).password());
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        cli(encrypted.getBytes(StandardCharsets.US_ASCII), raw, "decrypt", "--id", id,
                "--keystore", dir.resolve(accounts.get(1).keystore()).toString(), "--password-file", pw1.toString(),
                "--url", cluster.httpUrl(2));
        assertThat(raw.toByteArray()).isEqualTo(document);
        assertThat(c1.address().toHex()).isEqualTo(accounts.get(1).address());
        // a raw key file (--key) for the publisher: the requester key of the dev cluster
        Path requesterKey = dir.resolve(DevCluster.REQUESTER_KEY);
        String id2 = newKeyId();
        String enc2 = cli(new byte[0], new java.io.ByteArrayOutputStream(), "encrypt", "--id", id2, "--key", requesterKey.toString(),
                "--text", "hi", "--url", cluster.httpUrl(1));
        assertThat(cli(new byte[0], new java.io.ByteArrayOutputStream(), "decrypt", "--id", id2, "--key-file", requesterKey.toString(),
                "--data", enc2, "--hex", "--url", cluster.httpUrl(1))).isEqualTo("6869");
    }
}
