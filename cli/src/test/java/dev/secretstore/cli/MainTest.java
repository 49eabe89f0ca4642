package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.node.cli.NodeRunner;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process. */
class MainTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    record Fake(NodeRunner node, DevClusterRunner dev) implements Components {
        @Override
        public Optional<NodeRunner> nodeRunner() {
            return Optional.ofNullable(node);
        }

        @Override
        public Optional<DevClusterRunner> devClusterRunner() {
            return Optional.ofNullable(dev);
        }
    }

    int run(Components c, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), c);
    }

    int run(String... args) {
        return run(new Fake(null, null), args);
    }

    @Test
    void helpForEveryCommandExitsZeroAndListsExitCodes() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"node", "--help"},
                new String[] {"init-cluster", "--help"}, new String[] {"dev", "--help"})) {
            out.getBuffer().setLength(0);
            assertThat(run(args)).isZero();
            assertThat(out.toString()).contains("Usage: secretstore").contains("Exit codes:");
        }
        assertThat(run("--version")).isZero();
    }

    @Test
    void badArgumentsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("a command is required");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run("node")).isEqualTo(2);
        assertThat(err.toString()).contains("--config");
        assertThat(run("node", "--config")).isEqualTo(2);
        assertThat(run("node", "--config", "x", "--verbose")).isEqualTo(2);
        assertThat(run("init-cluster", "--dir", dir.toString())).isEqualTo(2);
        assertThat(run("init-cluster", "--nodes", "three", "--dir", dir.toString())).isEqualTo(2);
        assertThat(run("init-cluster", "--nodes", "0", "--dir", dir.toString())).isEqualTo(2);
        assertThat(run("dev", "--nodes", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--nodes must be from 1 to 64");
    }

    @Test
    void nodeHandsTheValidatedConfigToTheRunnerOfTheComponents() throws Exception {
        Path d = dir.resolve("c");
        assertThat(run("init-cluster", "--nodes", "1", "--dir", d.toString())).isZero();
        AtomicReference<NodeConfig> seen = new AtomicReference<>();
        assertThat(run(new Fake(c -> {
            seen.set(c);
            return 0;
        }, null), "node", "--config", d.resolve("node-0.toml").toString())).isZero();
        assertThat(seen.get().dataDir()).isEqualTo(d.resolve("data/node-0"));
    }

    @Test
    void devDelegatesOrExitsThree() {
        assertThat(run("dev")).isEqualTo(3);
        assertThat(err.toString()).contains("the development cluster is not assembled in this build yet");
        AtomicReference<DevClusterRunner.Options> seen = new AtomicReference<>();
        assertThat(run(new Fake(null, o -> {
            seen.set(o);
            return 0;
        }), "dev", "--nodes", "5", "--dir", dir.toString())).isZero();
        assertThat(seen.get()).isEqualTo(new DevClusterRunner.Options(5, dir));
        run(new Fake(null, o -> {
            seen.set(o);
            return 0;
        }), "dev");
        assertThat(seen.get().nodes()).isEqualTo(3);
        assertThat(seen.get().dir()).isEqualTo(Path.of("dev-cluster").toAbsolutePath());
        assertThat(seen.get().tls()).isFalse();
        run(new Fake(null, o -> {
            seen.set(o);
            return 0;
        }), "dev", "--tls", "--dir", dir.toString());
        assertThat(seen.get()).isEqualTo(new DevClusterRunner.Options(3, dir, false, true));
    }

    @Test
    void serviceLoaderFindsTheRuntimes() {
        assertThat(Components.fromServiceLoader().nodeRunner()).get()
                .isInstanceOf(dev.secretstore.node.runtime.DefaultNodeRunner.class);
        assertThat(Components.fromServiceLoader().devClusterRunner()).get()
                .isInstanceOf(dev.secretstore.cli.dev.DevCluster.class);
    }

    @Test
    void initClusterWritesConfigsThatLoadBackAndAgree() throws Exception {
        Path out3 = dir.resolve("cluster");
        assertThat(run("init-cluster", "--nodes", "4", "--dir", out3.toString(), "--threshold-hint")).isZero();
        assertThat(out.toString()).contains("Wrote a 4-node cluster").contains("Thresholds:");

        List<NodeConfig> configs = new ArrayList<>();
        for (int i = 0; i < 4; i++) configs.add(ConfigLoader.load(out3.resolve("node-" + i + ".toml")));
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            NodeConfig c = configs.get(i);
            assertThat(c.nodes()).isEqualTo(configs.get(0).nodes());
            assertThat(c.nodes()).hasSize(4);
            assertThat(c.nodes().get(i).id()).isEqualTo(c.self());
            assertThat(c.nodes().get(i).port()).isEqualTo(c.cluster().port()).isEqualTo(12000 + i);
            assertThat(c.http().orElseThrow().port()).isEqualTo(8082 + i);
            assertThat(c.cluster().isLoopback()).isTrue();
            assertThat(c.http().orElseThrow().isLoopback()).isTrue();
            assertThat(c.acl().mode()).isEqualTo(NodeConfig.AclMode.POLICY);
            assertThat(c.dataDir()).isEqualTo(out3.resolve("data/node-" + i));
            assertThat(c.notices()).isEmpty();
            assertThat(ports.add(c.cluster().port())).isTrue();
            assertThat(ports.add(c.http().orElseThrow().port())).isTrue();
            assertThat(ports.add(c.ops().port())).isTrue();
            assertThat(out.toString()).contains(c.self().toHex());

            Path key = out3.resolve("node-" + i + ".key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            String keyText = Files.readString(key);
            assertThat(keyText).matches("[0-9a-f]{64}\n");
            assertThat(out.toString()).doesNotContain(keyText.strip());
            assertThat(Files.readString(out3.resolve("node-" + i + ".toml"))).doesNotContain(keyText.strip());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(c.dataDir()))).isEqualTo("rwx------");
        }
        assertThat(configs.stream().map(NodeConfig::self).distinct()).hasSize(4);
        // SEC-39: the administrator key is private too, in a private cluster directory
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out3.resolve("admin.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out3))).isEqualTo("rwx------");

        // The written node configuration starts as-is (up to the missing runtime).
        err.getBuffer().setLength(0);
        assertThat(run("node", "--config", out3.resolve("node-2.toml").toString())).isEqualTo(3);
        assertThat(err.toString()).doesNotContain("warning").doesNotContain("error");
    }

    @Test
    void initClusterRefusesToOverwriteUnlessForced() throws Exception {
        Path d = dir.resolve("c");
        assertThat(run("init-cluster", "--nodes", "2", "--dir", d.toString())).isZero();
        String before = Files.readString(d.resolve("node-0.key"));
        assertThat(run("init-cluster", "--nodes", "2", "--dir", d.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("node-0.key exists; use --force");
        assertThat(Files.readString(d.resolve("node-0.key"))).isEqualTo(before);

        assertThat(run("init-cluster", "--nodes", "2", "--dir", d.toString(), "--force")).isZero();
        assertThat(Files.readString(d.resolve("node-0.key"))).isNotEqualTo(before);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.resolve("node-0.key")))).isEqualTo("rw-------");

        Files.writeString(d.resolve("data/node-1/keys.sqlite"), "");
        assertThat(run("init-cluster", "--nodes", "2", "--dir", d.toString(), "--force")).isEqualTo(2);
        assertThat(err.toString()).contains("never deletes key storage");
    }

    /** SEC-32: --cluster-name names the cluster in every configuration; without it the id comes from the nodes list. */
    @Test
    void initClusterWritesTheClusterName() throws Exception {
        Path named = dir.resolve("named");
        assertThat(run("init-cluster", "--nodes", "2", "--dir", named.toString(), "--cluster-name", "acme prod-eu")).isZero();
        for (int i = 0; i < 2; i++) {
            NodeConfig c = ConfigLoader.load(named.resolve("node-" + i + ".toml"));
            assertThat(c.requesters().clusterName()).contains("acme prod-eu");
            assertThat(c.clusterId()).isEqualTo(dev.secretstore.crypto.auth.ClusterId.ofName("acme prod-eu"));
        }
        Path plain = dir.resolve("plain");
        assertThat(run("init-cluster", "--nodes", "2", "--dir", plain.toString())).isZero();
        NodeConfig c = ConfigLoader.load(plain.resolve("node-1.toml"));
        assertThat(c.requesters().clusterName()).isEmpty();
        assertThat(c.clusterId()).isEqualTo(ConfigLoader.load(plain.resolve("node-0.toml")).clusterId());
        assertThat(run("init-cluster", "--nodes", "2", "--dir", dir.resolve("bad").toString(), "--cluster-name", "a\"b")).isEqualTo(2);
        assertThat(err.toString()).contains("--cluster-name must be");
    }

    @Test
    void initClusterRejectsOverlappingOrOutOfRangePorts() {
        assertThat(run("init-cluster", "--nodes", "3", "--dir", dir.toString(), "--base-port", "8083")).isEqualTo(2);
        assertThat(err.toString()).contains("overlapping");
        assertThat(run("init-cluster", "--nodes", "3", "--dir", dir.toString(), "--base-port", "65534")).isEqualTo(2);
        assertThat(err.toString()).contains("from 1 to 65535");
        assertThat(run("init-cluster", "--nodes", "2", "--dir", dir.resolve("p").toString(), "--base-port", "13000",
                "--http-base-port", "9000", "--ops-base-port", "9100")).isZero();
    }
}
