package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.node.cli.NodeRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secretstore account new|import|list} and {@code secretstore rpc}. */
class RpcCommandsTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    static final Components NONE = new Components() {
        @Override
        public Optional<NodeRunner> nodeRunner() {
            return Optional.empty();
        }

        @Override
        public Optional<DevClusterRunner> devClusterRunner() {
            return Optional.empty();
        }
    };

    int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), NONE);
    }

    @Test
    void accountNewImportList() throws Exception {
        Path ks = dir.resolve("ks");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret pass\n");
        assertThat(run("account", "new", "--keystore", ks.toString(), "--password-file", pw.toString(), "--light")).isZero();
        String created = out.toString().trim();
        assertThat(created).matches("0x[0-9a-f]{40} .*UTC--.*");
        KeyPair imported = KeyPair.random();
        Path key = dir.resolve("k.key");
        Files.writeString(key, Hex.encode(imported.secret().toBytes()) + "\n");
        assertThat(run("account", "import", "--keystore", ks.toString(), "--key-file", key.toString(),
                "--password-file", pw.toString(), "--light")).isZero();
        assertThat(new Keystore(ks).unlock(imported.address(), "s3cret pass").publicKey()).isEqualTo(imported.publicKey());
        out.getBuffer().setLength(0);
        assertThat(run("account", "list", "--keystore", ks.toString())).isZero();
        assertThat(out.toString()).contains(created.substring(0, 42)).contains(imported.address().toHex());
        assertThat(out.toString() + err).doesNotContain("s3cret");
        // SEC-39: both keystore files 0600, in a keystore directory created 0700
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ks))).isEqualTo("rwx------");
        try (java.util.stream.Stream<Path> files = Files.list(ks)) {
            assertThat(files.toList()).hasSize(2).allSatisfy(f -> assertThat(java.nio.file.attribute.PosixFilePermissions
                    .toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));
        }
    }

    @Test
    void accountNewWithoutPasswordExitsTwo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(RpcCommands.PASSWORD_ENV) == null);
        assertThat(run("account", "new", "--keystore", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--password-file");
        assertThat(run("account", "new", "--keystore", dir.toString(), "--password", "x")).isEqualTo(2);
        assertThat(run("account")).isEqualTo(2);
        assertThat(run("rpc", "--help")).isZero();
    }

    @Test
    void rpcServesTheKeystore() throws Exception {
        Keystore ks = new Keystore(dir);
        KeyPair kp = KeyPair.random();
        ks.store(kp, "pw", dev.secretstore.keystore.KeystoreFile.ScryptParams.LIGHT);
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(run("rpc", "--keystore", dir.toString(), "--port", "0")));
        t.start();
        Pattern p = Pattern.compile("listening on (http://\\S+)");
        Matcher m = p.matcher("");
        for (int i = 0; i < 200 && !(m = p.matcher(out.toString())).find(); i++) Thread.sleep(25);
        assertThat(out.toString()).contains("1 account(s)");
        String body = "{\"jsonrpc\":\"2.0\",\"method\":\"secretstore_signRawHash\",\"params\":[\"" + kp.address().toHex()
                + "\",\"pw\",\"0x" + "00".repeat(31) + "01\"],\"id\":1}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).matches("\\{\"jsonrpc\":\"2.0\",\"result\":\"0x[0-9a-f]{130}\",\"id\":1}");
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void sec37_rpcRefusesABadAllowedHostsListBeforeStarting() {
        assertThat(run("rpc", "--keystore", dir.toString(), "--port", "0", "--allowed-hosts", "ok.example,http://bad.example")).isEqualTo(2);
        assertThat(err.toString()).contains("--allowed-hosts").contains("\"http://bad.example\" is not a host");
        assertThat(out.toString()).doesNotContain("listening");
    }

    /** Runs {@code rpc} with {@code args} on a thread until it prints its URL; the thread, and the URL in {@code url[0]}. */
    Thread startRpc(String[] url, String... args) throws InterruptedException {
        Thread t = new Thread(() -> run(args));
        t.start();
        Pattern p = Pattern.compile("listening on (https?://\\S+)");
        Matcher m = p.matcher("");
        for (int i = 0; i < 400 && t.isAlive() && !(m = p.matcher(out.toString())).find(); i++) Thread.sleep(25);
        assertThat(m.find(0)).as(out + " / " + err).isTrue();
        url[0] = m.group(1);
        return t;
    }

    static void stopRpc(Thread t) throws InterruptedException {
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
    }

    /** SEC-34: without limit options the rpc listener gets the documented defaults, with bodies up to 16 MiB. */
    @Test
    void sec34_rpcLimitDefaultsAreTheListenerDefaults() {
        RpcCommands.Rpc rpc = new RpcCommands.Rpc();
        new picocli.CommandLine(rpc).parseArgs("--keystore", dir.toString());
        assertThat(rpc.limitsError()).isNull();
        assertThat(rpc.limits()).isEqualTo(dev.secretstore.http.server.ServerLimits.defaults(dev.secretstore.rpc.http.RpcHttpServer.MAX_BODY));
        assertThat(rpc.limits().maxBodyBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(rpc.tlsFiles()).isNull();
    }

    /** SEC-34: each limit option reaches the listener's limits. */
    @Test
    void sec34_rpcLimitOptionsReachTheListener() {
        RpcCommands.Rpc rpc = new RpcCommands.Rpc();
        new picocli.CommandLine(rpc).parseArgs("--keystore", dir.toString(), "--header-timeout", "3", "--body-timeout", "7",
                "--idle-timeout", "11", "--max-connections", "100", "--max-connections-per-address", "5",
                "--tls-certificate", "c.pem", "--tls-private-key", "k.pem");
        var limits = rpc.limits();
        assertThat(limits.headerTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(limits.bodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(7));
        assertThat(limits.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(11));
        assertThat(limits.maxConnections()).isEqualTo(100);
        assertThat(limits.maxConnectionsPerSource()).isEqualTo(5);
        assertThat(limits.maxBodyBytes()).isEqualTo(dev.secretstore.rpc.http.RpcHttpServer.MAX_BODY);
        assertThat(rpc.tlsFiles()).isEqualTo(new dev.secretstore.http.server.TlsFiles(Path.of("c.pem"), Path.of("k.pem")));
    }

    /** SEC-34: a limit out of range is refused before the service starts, naming the option. */
    @Test
    void sec34_rpcRefusesALimitOutOfRange() {
        for (String option : java.util.List.of("--header-timeout", "--body-timeout", "--idle-timeout", "--max-connections",
                "--max-connections-per-address")) {
            err.getBuffer().setLength(0);
            assertThat(run("rpc", "--keystore", dir.toString(), "--port", "0", option, "0")).as(option).isEqualTo(2);
            assertThat(err.toString()).as(option).contains("error: " + option + " must be at least 1");
        }
        assertThat(out.toString()).doesNotContain("listening");
    }

    /** TLS options come in pairs, and their files must load: refused before the service starts, naming the options. */
    @Test
    void rpcRefusesHalfATlsPairAndUnreadableTlsFiles() {
        Path missing = dir.resolve("missing.pem");
        assertThat(run("rpc", "--keystore", dir.toString(), "--port", "0", "--tls-certificate", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-certificate and --tls-private-key go together");
        err.getBuffer().setLength(0);
        assertThat(run("rpc", "--keystore", dir.toString(), "--port", "0", "--tls-private-key", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-certificate and --tls-private-key go together");
        err.getBuffer().setLength(0);
        assertThat(run("rpc", "--keystore", dir.toString(), "--port", "0", "--tls-certificate", missing.toString(),
                "--tls-private-key", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-certificate/--tls-private-key").contains(missing.toString());
        assertThat(out.toString()).doesNotContain("listening");
    }

    /** SEC-30: plain HTTP on a non-loopback interface is one loud notice naming the address and the TLS options; none on loopback. */
    @Test
    void sec30_rpcWarnsOncePlainHttpOnANonLoopbackInterface() throws Exception {
        String[] url = new String[1];
        Thread t = startRpc(url, "rpc", "--keystore", dir.toString(), "--port", "0", "--interface", "0.0.0.0");
        stopRpc(t);
        int port = java.net.URI.create(url[0]).getPort();
        String notice = "WARNING: rpc: plain HTTP on a non-loopback address: 0.0.0.0:" + port;
        assertThat(err.toString()).contains(notice).contains("--tls-certificate and --tls-private-key");
        assertThat(err.toString().indexOf(notice)).isEqualTo(err.toString().lastIndexOf(notice));
        err.getBuffer().setLength(0);
        out.getBuffer().setLength(0);
        stopRpc(startRpc(url, "rpc", "--keystore", dir.toString(), "--port", "0"));
        assertThat(err.toString()).doesNotContain("WARNING");
    }

    /** SEC-34: with both TLS options the service serves HTTPS with that certificate, and no plain-HTTP notice. */
    @Test
    void sec34_rpcServesHttpsWithTheGivenCertificate() throws Exception {
        var ca = dev.secretstore.http.tls.DevelopmentCa.create("cli test CA");
        Path chain = dir.resolve("rpc.pem");
        Path key = dir.resolve("rpc.key");
        ca.issueLocal("rpc").write(chain, key);
        Path keystore = Files.createDirectory(dir.resolve("keystore"));
        String[] url = new String[1];
        Thread t = startRpc(url, "rpc", "--keystore", keystore.toString(), "--port", "0", "--interface", "0.0.0.0",
                "--tls-certificate", chain.toString(), "--tls-private-key", key.toString());
        try {
            assertThat(url[0]).startsWith("https://");
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            URI local = URI.create("https://127.0.0.1:" + URI.create(url[0]).getPort());
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(ssl).build().send(HttpRequest.newBuilder(local)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":7}");
        } finally {
            stopRpc(t);
        }
        assertThat(err.toString()).doesNotContain("WARNING");
    }
}
