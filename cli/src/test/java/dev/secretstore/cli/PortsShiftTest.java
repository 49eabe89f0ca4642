package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.cli.dev.DevCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ports-shift K} of {@code init-cluster} and {@code dev}: parsing, validation, the shifted ports, a dev directory's ports. */
class PortsShiftTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(Components c, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), c);
    }

    @Test
    void initClusterPortsShiftAddsKToEveryPortOfEveryConfiguration() throws Exception {
        Path d = dir.resolve("c");
        assertThat(run(new MainTest.Fake(null, null), "init-cluster", "--nodes", "3", "--dir", d.toString(), "--ports-shift", "7")).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(ClusterInit.ports(d.resolve("node-" + i + ".toml"))).isEqualTo(new ClusterInit.Ports(12007 + i, 8089 + i, 8197 + i));
        }
        // the members list carries the shifted cluster ports too, as the loader reads it
        var c = dev.secretstore.node.config.ConfigLoader.load(d.resolve("node-0.toml"));
        try {
            assertThat(c.nodes()).extracting(m -> m.port()).containsExactly(12007, 12008, 12009);
            assertThat(c.http().orElseThrow().port()).isEqualTo(8089);
            assertThat(c.ops().port()).isEqualTo(8197);
        } finally {
            c.nodeKey().destroy();
        }
        assertThat(out.toString()).contains("cluster 127.0.0.1:12007").contains("http://127.0.0.1:8089").contains("127.0.0.1:8197");
    }

    @Test
    void initClusterPortsShiftAddsToExplicitBases() throws Exception {
        Path d = dir.resolve("b");
        assertThat(run(new MainTest.Fake(null, null), "init-cluster", "--nodes", "2", "--dir", d.toString(), "--base-port", "13000",
                "--http-base-port", "9000", "--ops-base-port", "9100", "--ports-shift", "5")).isZero();
        assertThat(ClusterInit.ports(d.resolve("node-1.toml"))).isEqualTo(new ClusterInit.Ports(13006, 9006, 9106));
    }

    @Test
    void initClusterRefusesANegativeShiftOrOnePastThePortRangeNamingTheOption() {
        assertThat(run(new MainTest.Fake(null, null), "init-cluster", "--nodes", "2", "--dir", dir.resolve("n").toString(),
                "--ports-shift", "-1")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ports-shift must be 0 or more, got -1");
        // 12001 + 53534 = 65535 is the last port; one more is refused
        assertThat(run(new MainTest.Fake(null, null), "init-cluster", "--nodes", "2", "--dir", dir.resolve("o").toString(),
                "--ports-shift", "53535")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ports-shift 53535").contains("65536").contains("at most 53534");
        assertThat(dir.resolve("n")).doesNotExist();
        assertThat(dir.resolve("o")).doesNotExist();
        assertThat(run(new MainTest.Fake(null, null), "init-cluster", "--nodes", "2", "--dir", dir.resolve("p").toString(),
                "--ports-shift", "53534")).isZero();
        assertThat(err.toString()).doesNotContain("--ports-shift 53534 ");
    }

    @Test
    void devPortsShiftReachesTheRunnerWithEveryPortShifted() {
        AtomicReference<DevClusterRunner.Options> seen = new AtomicReference<>();
        DevClusterRunner capture = o -> {
            seen.set(o);
            return 0;
        };
        assertThat(run(new MainTest.Fake(null, capture), "dev", "--dir", dir.toString(), "--ports-shift", "100")).isZero();
        DevClusterRunner.Options o = seen.get();
        assertThat(o.portsShift()).isEqualTo(100);
        assertThat(o.clusterBasePort()).isEqualTo(12100);
        assertThat(o.httpBasePort()).isEqualTo(8182);
        assertThat(o.opsBasePort()).isEqualTo(8290);
        assertThat(o.rpcPort()).isEqualTo(8645);
        assertThat(o.chainPort()).isEqualTo(8646);
        assertThat(run(new MainTest.Fake(null, capture), "dev", "--dir", dir.toString())).isZero();
        assertThat(seen.get().portsShift()).isZero();
        assertThat(seen.get().httpBasePort()).isEqualTo(8082);
    }

    @Test
    void devRefusesANegativeShiftOrOnePastThePortRangeWithExitTwo() {
        AtomicReference<DevClusterRunner.Options> seen = new AtomicReference<>();
        DevClusterRunner capture = o -> {
            seen.set(o);
            return 0;
        };
        assertThat(run(new MainTest.Fake(null, capture), "dev", "--dir", dir.toString(), "--ports-shift", "-5")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ports-shift must be 0 or more, got -5");
        // 3 nodes: the highest port is cluster 12002 + K
        assertThat(run(new MainTest.Fake(null, capture), "dev", "--dir", dir.toString(), "--ports-shift", "53534")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--ports-shift 53534").contains("cluster port of node 2").contains("65536");
        assertThat(seen.get()).isNull();
        assertThat(run(new MainTest.Fake(null, capture), "dev", "--dir", dir.toString(), "--ports-shift", "53533")).isZero();
        assertThat(seen.get().clusterBasePort() + 2).isEqualTo(65535);
    }

    @Test
    void aDevDirectoryKeepsItsPortsAndRefusesAnotherShiftNamingTheOneItWasMadeWith() throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Path d = dir.resolve("shifted");
        DevCluster.prepare(2, d, 12000 + 40, 8082 + 40, 8190 + 40, false, quiet);
        assertThat(ClusterInit.ports(d.resolve("node-1.toml"))).isEqualTo(new ClusterInit.Ports(12041, 8123, 8231));
        DevCluster.prepare(2, d, 12040, 8122, 8230, false, quiet); // the same shift: reused as it is
        assertThatThrownBy(() -> DevCluster.prepare(2, d, 12000, 8082, 8190, false, quiet))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("made with --ports-shift 40")
                .hasMessageContaining("run with --ports-shift 40, or use another --dir for --ports-shift 0");
        assertThat(ClusterInit.ports(d.resolve("node-0.toml"))).isEqualTo(new ClusterInit.Ports(12040, 8122, 8230));
    }
}
