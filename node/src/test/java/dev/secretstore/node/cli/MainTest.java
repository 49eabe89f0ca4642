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
import picocli.CommandLine;
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

    Path rpcConfig() throws Exception {
        Path f = validConfig();
        Files.writeString(f, "[rpc]\napis = [\"all\"]\nport = 18545\n" + Files.readString(f));
        return f;
    }

    /** Parity's [rpc] with the secretstore API: the server jar does not carry the service and says so (exit 3). */
    @Test
    void serverJarRefusesAConfigurationThatStartsTheJsonRpcNamingItsOptions() throws Exception {
        assertThat(run(new Fake(c -> 0), "node", "--config", rpcConfig().toString())).isEqualTo(3);
        assertThat(err.toString()).contains("error: the configuration starts the secretstore_* JSON-RPC service ([rpc] interface/port)")
                .contains("./secretstore");
    }

    /** The command line's side services start after validation, before the runner, and close when it returns. */
    @Test
    void sideServicesRunAroundTheNodeAndAPortInUseIsAFailureNamingIt() throws Exception {
        List<String> events = new java.util.ArrayList<>();
        SideServices services = (cfg, log) -> {
            events.add("start " + cfg.rpc().listen());
            return List.of(() -> events.add("close"));
        };
        Components c = new Fake(cfg -> {
            events.add("run");
            return 0;
        });
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == NodeCommand.class) return cls.cast(new NodeCommand(c, services));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        String[] args = {"node", "--config", rpcConfig().toString()};
        assertThat(Main.run(new Main(), factory, args, new PrintWriter(out, true), new PrintWriter(err, true))).isZero();
        assertThat(events).containsExactly("start 127.0.0.1:18545", "run", "close");

        SideServices taken = (cfg, log) -> {
            throw new java.io.IOException("the JSON-RPC service cannot listen on 127.0.0.1:18545 (in use); move it with [rpc] interface/port");
        };
        factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == NodeCommand.class) return cls.cast(new NodeCommand(c, taken));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        events.clear();
        assertThat(Main.run(new Main(), factory, args, new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(1);
        assertThat(events).isEmpty();
        assertThat(err.toString()).contains("move it with [rpc] interface/port");
    }
}
