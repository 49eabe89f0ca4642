package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-32, docs/auth.md §6: {@code ./secretstore authorize} prints a header that authorizes exactly the operation asked for. */
class AuthorizeCommandTest {
    static final String SECRET = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";
    static final KeyPair ME = KeyPair.fromSecretBytes(Hex.decode(SECRET));
    static final H256 KEY_ID = H256.keccak("key".getBytes());
    static final H256 CLUSTER = ClusterId.ofName("stub");

    @TempDir
    Path dir;
    HttpServer server;
    final List<String> asked = new ArrayList<>();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    /** A key server whose clock is {@code skew} seconds ahead and that accepts lifetimes up to 30 s. */
    String stub(long skew) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/", ex -> {
            asked.add(ex.getRequestURI().getPath());
            byte[] b = ("{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"legacy_requester_signatures\":\"none\",\"max_lifetime\":30,"
                    + "\"clock_skew\":30,\"time\":" + (System.currentTimeMillis() / 1000 + skew) + "}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int run(String... args) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, SECRET);
        List<String> all = new ArrayList<>(List.of("authorize", "--key-file", key.toString(), "--key-id", KEY_ID.toHex()));
        all.addAll(List.of(args));
        return Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true), new MainTest.Fake(null, null));
    }

    @Test
    void printsAnAuthorizationForTheClusterTheNodeNamesWithItsClockAndLifetimeCap() throws Exception {
        String url = stub(600);
        H256 hash = H256.keccak("m".getBytes());
        long before = System.currentTimeMillis() / 1000;
        assertThat(run("--operation", "schnorr", "--message-hash", hash.toHex(), "--url", url, "--lifetime", "120")).as(err.toString()).isZero();
        Authorization a = Authorization.parseHeader(out.toString().trim());
        assertThat(asked).containsExactly("/cluster");
        assertThat(a.verify(CLUSTER, Operation.SIGN_SCHNORR, KEY_ID, hash)).isEqualTo(ME.publicKey());
        // the node's clock (600 s ahead) and its max_lifetime (30 s) decide the expiry, not the local clock and --lifetime
        assertThat(a.expires()).isBetween(before + 600 + 30, System.currentTimeMillis() / 1000 + 600 + 30);
    }

    @Test
    void bindsTheParametersOfEachOperation() throws Exception {
        H256 cluster = ClusterId.ofName("configured");
        String c = Hex.encode(KeyPair.random().publicKey().toBytes());
        String e = Hex.encode(KeyPair.random().publicKey().toBytes());
        assertThat(run("--operation", "store", "--common-point", c, "--encrypted-point", e, "--cluster-id", cluster.toHex())).isZero();
        Authorization a = Authorization.parseHeader(out.toString().trim());
        assertThat(a.verify(cluster, Operation.STORE_DOCUMENT_KEY, KEY_ID, Operation.storeParams(
                dev.secretstore.crypto.PublicPoint.fromHex(c), dev.secretstore.crypto.PublicPoint.fromHex(e)))).isEqualTo(ME.publicKey());
        assertThat(asked).isEmpty(); // no discovery with --cluster-id
    }

    @Test
    void missingOrMisplacedParametersAreUsageErrors() throws Exception {
        String id = ClusterId.ofName("x").toHex();
        assertThat(run("--operation", "generate", "--cluster-id", id)).isEqualTo(Main.USAGE);
        assertThat(run("--operation", "shadow", "--threshold", "1", "--cluster-id", id)).isEqualTo(Main.USAGE);
        assertThat(run("--operation", "ecdsa", "--cluster-id", id)).isEqualTo(Main.USAGE);
        assertThat(out.toString()).isEmpty();
    }
}
