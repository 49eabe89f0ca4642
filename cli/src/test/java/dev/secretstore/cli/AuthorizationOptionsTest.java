package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.secretstore.crypto.Ecdsa;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-32, docs/auth.md §6: the CLI's key-server commands send a fresh authorization by default and Parity's static
 * signature with {@code --legacy-signature}; against a stub key server that offers {@code GET /cluster}.
 */
class AuthorizationOptionsTest {
    static final String SECRET = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";
    static final H256 KEY_ID = H256.fromHex("00".repeat(31) + "01");
    static final H256 CLUSTER = ClusterId.ofName("stub");

    @TempDir
    Path dir;

    record Seen(String path, String authorization) {}

    final List<Seen> seen = new ArrayList<>();
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    String stub() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            synchronized (seen) {
                seen.add(new Seen(path, ex.getRequestHeaders().getFirst(Authorization.HEADER)));
            }
            String body = path.equals("/cluster")
                    ? "{\"cluster_id\":\"0x" + CLUSTER.toHex() + "\",\"legacy_requester_signatures\":\"all\",\"max_lifetime\":300,\"clock_skew\":30,\"time\":"
                            + System.currentTimeMillis() / 1000 + "}"
                    : "\"0x00\""; // not a signature: the command fails after sending, which is all this test needs
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int run(String... args) {
        StringWriter out = new StringWriter();
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), new MainTest.Fake(null, null));
    }

    String[] sign(String url, String... extra) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, SECRET);
        List<String> args = new ArrayList<>(List.of("sign", "--key-file", key.toString(), "--key-id", KEY_ID.toHex(), "--schnorr",
                H256.keccak("m".getBytes()).toHex(), "--server-key", Hex.encode(KeyPair.random().publicKey().toBytes()), "--url", url));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void signSendsAFreshAuthorizationByDefault() throws Exception {
        String url = stub();
        assertThat(run(sign(url))).isNotZero();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).path()).isEqualTo("/cluster");
        Authorization a = Authorization.parseHeader(seen.get(1).authorization());
        KeyPair me = KeyPair.fromSecretBytes(Hex.decode(SECRET));
        assertThat(a.verify(CLUSTER, Operation.SIGN_SCHNORR, KEY_ID, H256.keccak("m".getBytes()))).isEqualTo(me.publicKey());
    }

    @Test
    void legacySignatureFlagSendsParitysStaticSignature() throws Exception {
        String url = stub();
        assertThat(run(sign(url, "--legacy-signature"))).isNotZero();
        KeyPair me = KeyPair.fromSecretBytes(Hex.decode(SECRET));
        String staticSig = Hex.encode(Ecdsa.sign(me.secret(), KEY_ID).toBytes());
        assertThat(seen).containsExactly(new Seen("/schnorr/" + KEY_ID.toHex() + "/" + staticSig + "/" + H256.keccak("m".getBytes()).toHex(), null));
    }

    @Test
    void decryptWithIdHonoursTheFlagAndAConfiguredClusterId() throws Exception {
        String url = stub();
        Path key = dir.resolve("key");
        Files.writeString(key, SECRET);
        H256 other = ClusterId.ofName("configured");
        assertThat(run("decrypt", "--id", KEY_ID.toHex(), "--key", key.toString(), "--url", url, "--data", "00".repeat(20),
                "--cluster-id", other.toHex())).isNotZero();
        assertThat(seen).hasSize(1); // no discovery with --cluster-id
        KeyPair me = KeyPair.fromSecretBytes(Hex.decode(SECRET));
        assertThat(Authorization.parseHeader(seen.get(0).authorization()).verify(other, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY_ID,
                Operation.NO_PARAMS)).isEqualTo(me.publicKey());
        seen.clear();
        assertThat(run("decrypt", "--id", KEY_ID.toHex(), "--key", key.toString(), "--url", url, "--data", "00".repeat(20),
                "--legacy-signature")).isNotZero();
        assertThat(seen).hasSize(1).allMatch(s -> s.authorization() == null && !s.path().equals("/cluster"));
        assertThat(run(sign(url, "--legacy-signature", "--fresh-only"))).isEqualTo(Main.USAGE);
    }

    @Test
    void adminCommandsSendTheAdministratorsFreshAuthorizationByDefault() throws Exception {
        String url = stub();
        Path admin = dir.resolve("admin.key");
        Files.writeString(admin, SECRET);
        KeyPair me = KeyPair.fromSecretBytes(Hex.decode(SECRET));
        H256 key = H256.keccak("k".getBytes());
        run("refresh-shares", "--admin-key", admin.toString(), "--url", url, "--key", key.toHex());
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).path()).isEqualTo("/cluster");
        assertThat(seen.get(1).path()).startsWith("/admin/refresh_shares/");
        assertThat(Authorization.parseHeader(seen.get(1).authorization()).verify(CLUSTER, Operation.REFRESH_SHARES, H256.fromBytes(new byte[32]),
                dev.secretstore.protocol.session.refresh.RefreshAuthorization.message(List.of(key)))).isEqualTo(me.publicKey());

        seen.clear();
        String a = Hex.encode(KeyPair.random().publicKey().toBytes());
        String b = Hex.encode(KeyPair.random().publicKey().toBytes());
        run("servers-set-change", "--admin-key", admin.toString(), "--url", url, "--old-set", a + "," + b, "--new-set", a);
        assertThat(seen).hasSize(2);
        var old = List.of(dev.secretstore.crypto.PublicPoint.fromHex(a), dev.secretstore.crypto.PublicPoint.fromHex(b));
        assertThat(Authorization.parseHeader(seen.get(1).authorization()).verify(CLUSTER, Operation.CHANGE_SERVERS_SET,
                H256.fromBytes(new byte[32]), Operation.serversSetParams(old, old.subList(0, 1)))).isEqualTo(me.publicKey());

        seen.clear();
        run("servers-set-change", "--admin-key", admin.toString(), "--url", url, "--old-set", a + "," + b, "--new-set", a, "--legacy-signature");
        assertThat(seen).hasSize(1).allMatch(s -> s.authorization() == null && s.path().startsWith("/admin/servers_set_change/"));
    }
}
