package dev.secretstore.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.cli.Components;
import dev.secretstore.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A taken port stops {@code node} and {@code dev} with one line naming the port, the listener and the option that moves it,
 * and exit code 1 (docs/configuration.md "When a port is taken"). The test holds the port with a ServerSocket of its own.
 * (A run that wrongly starts would block: the timeout fails it.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PortTakenTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** Runs the real command line; returns the exit code, with System.err (where the runners print) appended to {@link #err}. */
    int run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), Components.fromServiceLoader());
        } finally {
            System.setErr(saved);
            err.append(captured.toString(StandardCharsets.UTF_8));
        }
    }

    static ServerSocket hold(int port) throws IOException {
        return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    }

    @ParameterizedTest(name = "node: {0} port taken")
    @CsvSource({
            "cluster, 0, '[secretstore] interface/port'",
            "HTTP API, 10, '[secretstore] http_interface/http_port'",
            "ops, 20, '[secretstore_ext] ops_interface/ops_port'",
            "JSON-RPC, 25, '[secretstore_ext] rpc_interface/rpc_port'"})
    void nodeNamesTheTakenPortTheListenerAndTheOptionThatMovesIt(String listener, int offset, String option) throws Exception {
        int base = TestPorts.base();
        Path d = dir.resolve("c");
        assertThat(run("init-cluster", "--nodes", "1", "--dir", d.toString(), "--base-port", String.valueOf(base),
                "--http-base-port", String.valueOf(base + 10), "--ops-base-port", String.valueOf(base + 20))).isZero();
        Path config = d.resolve("node-0.toml");
        Files.writeString(config, "rpc_enabled = true\nrpc_port = " + (base + 25) + "\n", StandardOpenOption.APPEND); // [secretstore_ext]
        int port = base + offset;
        try (ServerSocket taken = hold(port)) {
            assertThat(run("node", "--config", config.toString())).isEqualTo(Main.FAILURE);
        }
        assertThat(err.toString())
                .contains("port " + port + " is taken")
                .contains("the " + listener + " listener cannot listen on 127.0.0.1:" + port)
                .contains("move the " + listener + " listener with " + option + " in " + config);
    }

    @ParameterizedTest(name = "dev: {0} port taken")
    @CsvSource({"cluster, 12000", "HTTP API, 8082", "ops, 8190"})
    void devNamesTheTakenPortTheListenerAndPortsShift(String listener, int defaultPort) throws Exception {
        int k = freeShift();
        int port = defaultPort + k;
        Path d = dir.resolve("dev");
        try (ServerSocket taken = hold(port)) {
            assertThat(run("dev", "--nodes", "1", "--dir", d.toString(), "--ports-shift", String.valueOf(k))).isEqualTo(Main.FAILURE);
        }
        assertThat(err.toString())
                .contains("secretstore dev: port " + port + " is taken")
                .contains("the " + listener + " listener cannot listen on 127.0.0.1:" + port)
                .contains("--ports-shift K and a directory for it (e.g. --ports-shift " + (k + 100) + " --dir " + d + "-" + (k + 100) + ")");
    }

    /** A K below Linux's ephemeral range with every port a 1-node dev cluster uses (and the suggested K+100's) free. */
    static int freeShift() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int k = 1000 + ThreadLocalRandom.current().nextInt(18_000);
            if (free(12000 + k) && free(8082 + k) && free(8190 + k) && free(8545 + k)) return k;
        }
        throw new IllegalStateException("no free shift");
    }

    static boolean free(int port) {
        try (ServerSocket s = hold(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
