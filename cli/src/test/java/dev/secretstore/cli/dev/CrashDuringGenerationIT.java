package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-25 with real processes: a key server killed with SIGKILL at a random moment of key generation,
 * then restarted, never leaves the cluster disagreeing about the key: afterwards every member serves
 * it or none does.
 */
class CrashDuringGenerationIT {
    private static final Path JAR = Path.of(System.getProperty("secretstore.jar", "target/secretstore.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Random random = new Random();
    private final KeyPair author = KeyPair.random();
    private final Process[] nodes = new Process[3];
    private int httpBase;

    @TempDir
    Path dir;

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : nodes) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void start(int i) throws IOException {
        nodes[i] = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "node", "--config", dir.resolve("node-" + i + ".toml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + i + ".log").toFile())).start();
    }

    private String url(int i, String path) {
        return "http://127.0.0.1:" + (httpBase + i) + path;
    }

    private HttpResponse<String> get(int i, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(i, path))).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String sig(H256 keyId) {
        return Hex.encode(Ecdsa.sign(author.secret(), keyId).toBytes());
    }

    /**
     * Waits until every node answers HTTP and node 0 can run a generation (since SEC-40 that needs only t+1
     * members connected, so the restarted node is waited for on its own).
     */
    private void awaitClusterReady() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            H256 probe = randomId();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(0, "/shadow/" + probe.toHex() + "/" + sig(probe) + "/0")))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    for (int i = 0; i < 3; i++) get(i, "/server/" + probe.toHex() + "/" + sig(probe)); // throws until listening
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("cluster did not become ready; logs in " + dir);
    }

    private static H256 randomId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return H256.fromBytes(b);
    }

    /** Every member answers the server key request the same way: all the same key, or all not found. */
    private Set<String> answers(H256 keyId) throws Exception {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(i, "/server/" + keyId.toHex() + "/" + sig(keyId));
            out.add(r.statusCode() + " " + r.body());
        }
        return out;
    }

    @Test
    void aKilledMemberNeverLeavesAHalfMadeKey() throws Exception {
        int base = TestPorts.base();
        httpBase = base + 10;
        Process init = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "init-cluster", "--nodes", "3", "--dir", dir.toString(),
                "--base-port", String.valueOf(base), "--http-base-port", String.valueOf(httpBase), "--ops-base-port", String.valueOf(base + 20))
                .redirectErrorStream(true).start();
        init.getInputStream().readAllBytes();
        assertThat(init.waitFor()).isZero();
        for (int i = 0; i < 3; i++) start(i);
        awaitClusterReady();

        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            int victim = round % 3; // the master (node 0) is killed too
            H256 keyId = randomId();
            CompletableFuture<HttpResponse<String>> request = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(url(0, "/shadow/" + keyId.toHex() + "/" + sig(keyId) + "/1")))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(40L * round + random.nextInt(150)); // later rounds reach the commit phase more often
            nodes[victim].destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
            nodes[victim].waitFor(10, TimeUnit.SECONDS);
            String status;
            try {
                status = String.valueOf(request.get(90, TimeUnit.SECONDS).statusCode());
            } catch (Exception e) {
                status = "connection lost";
            }
            start(victim);
            awaitClusterReady();
            long deadline = System.nanoTime() + 60_000_000_000L;
            Set<String> seen = answers(keyId);
            while (seen.size() != 1 && System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
                seen = answers(keyId);
            }
            assertThat(seen).as("round " + round + " (victim " + victim + ", request " + status + "); logs in " + dir).hasSize(1);
            String agreed = seen.iterator().next();
            if (status.equals("200")) assertThat(agreed).startsWith("200 "); // a success the client saw is never lost
            outcomes.add("victim " + victim + ": request " + status + ", every member " + agreed.substring(0, 3));
        }
        System.out.println("crash outcomes: " + outcomes);
        assertThat(Files.exists(dir.resolve("node-0.log"))).isTrue();
    }
}
