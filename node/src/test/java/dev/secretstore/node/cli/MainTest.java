package dev.secretstore.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.node.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server jar's command line (only {@code node}), run in-process. */
class MainTest {
    static final String SECRET = "6c26a76e9b31048d170873a791401c7e799a11f0cefc0171cc31a49800967509";

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    record Fake(NodeRunner node) implements Components {
        @Override
        public Optional<NodeRunner> nodeRunner() {
            return Optional.ofNullable(node);
        }
    }

    int run(Components c, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), c);
    }

    int run(String... args) {
        return run(new Fake(null), args);
    }

    Path validConfig() throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, """
                [secretstore]
                self_secret = "%s"
                server_set_contract = "none"
                acl_contract = "none"
                path = "data"
                """.formatted(SECRET));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void helpListsOnlyTheNodeCommand() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"node", "--help"})) {
            out.getBuffer().setLength(0);
            assertThat(run(args)).isZero();
            assertThat(out.toString()).contains("Usage: secretstore").contains("Exit codes:");
        }
        out.getBuffer().setLength(0);
        run("--help");
        assertThat(out.toString()).contains("  node ").doesNotContain("init-cluster").doesNotContain("dev ");
        assertThat(run("--version")).isZero();
    }

    /** The server carries no development, client, JSON-RPC or signing tools (docs/architecture.md, module graph). */
    @Test
    void theToolCommandsAreNotInTheServer() {
        for (String command : List.of("init-cluster", "dev", "sign", "encrypt", "decrypt", "servers-set-change", "rpc", "account", "acl")) {
            err.getBuffer().setLength(0);
            assertThat(run(command)).as(command).isEqualTo(2);
            assertThat(err.toString()).as(command).contains("Unmatched argument");
        }
    }

    @Test
    void badArgumentsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("a command is required");
        assertThat(run("node")).isEqualTo(2);
        assertThat(err.toString()).contains("--config");
        assertThat(run("node", "--config")).isEqualTo(2);
        assertThat(run("node", "--config", "x", "--verbose")).isEqualTo(2);
    }

    @Test
    void nodeHandsTheValidatedConfigToTheRunner() throws Exception {
        AtomicReference<NodeConfig> seen = new AtomicReference<>();
        int code = run(new Fake(c -> {
            seen.set(c);
            return 0;
        }), "node", "--config", validConfig().toString());
        assertThat(code).isZero();
        assertThat(seen.get().dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(seen.get().nodeKey().isDestroyed()).as("key destroyed once the runner returned").isTrue();
        assertThat(run(new Fake(c -> 1), "node", "--config", validConfig().toString())).isEqualTo(1);
    }

    @Test
    void serviceLoaderFindsTheNodeRuntime() {
        assertThat(Components.fromServiceLoader().nodeRunner()).get()
                .isInstanceOf(dev.secretstore.node.runtime.DefaultNodeRunner.class);
    }

    @Test
    void nodeWithMissingFileExitsTwo() {
        assertThat(run("node", "--config", dir.resolve("absent.toml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration").contains("absent.toml").contains("does not exist");
    }

    @Test
    void nodeWithInvalidConfigExitsTwoWithTheMessageAndNoSecret() throws Exception {
        Path f = validConfig();
        Files.writeString(f, Files.readString(f) + "bogus_option = 1\n");
        assertThat(run("node", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("[secretstore] bogus_option: unknown option").doesNotContain(SECRET);
    }

    @Test
    void nodeWithoutRuntimeExitsThree() throws Exception {
        assertThat(run("node", "--config", validConfig().toString())).isEqualTo(3);
        assertThat(err.toString()).contains("the node runtime is not assembled in this build yet")
                .contains("Running SecretStore with disabled ACL check").doesNotContain(SECRET);
    }

    @Test
    void nodeRefusesAWorldReadableDataDirectory() throws Exception {
        Path f = validConfig();
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(run(new Fake(c -> 0), "node", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("does not start");
    }

    @Test
    void nodeWarnsAboutAReadableConfigHoldingTheSecret() throws Exception {
        Path f = validConfig();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("node", "--config", f.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("warning: ").contains("chmod 600");
    }

    @Test
    void disabledNodeExitsZeroWithAMessage() throws Exception {
        Path f = validConfig();
        Files.writeString(f, Files.readString(f) + "disable = true\n");
        assertThat(run(new Fake(c -> 1), "node", "--config", f.toString())).isZero();
        assertThat(err.toString()).contains("disabled by the configuration");
    }

    @Test
    void runnerCrashIsAFailureNotAStackTrace() throws Exception {
        assertThat(run(new Fake(c -> {
            throw new IllegalStateException("port in use");
        }), "node", "--config", validConfig().toString())).isEqualTo(1);
        assertThat(err.toString()).contains("error: IllegalStateException: port in use");
    }
}
