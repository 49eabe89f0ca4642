package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --cores}: what each child runs and what the sweep reads back from its JSON. */
class CoreSweepTest {
    @Test
    void theChildGetsKProcessorsAndTheParentsArgumentsWithoutTheSweepsOwn() {
        List<String> args = List.of("--op", "shadow", "--cores", "1,2", "--nodes", "1", "--plot=x.svg", "--json", "out.json", "--duration", "5");
        assertThat(CoreSweep.childArgs(args)).containsExactly("--op", "shadow", "--nodes", "1", "--duration", "5");
        List<String> cmd = CoreSweep.command(2, true, "/jdk/bin/java", List.of("-Xmx2g", "-XX:ActiveProcessorCount=8", "-javaagent:x.jar",
                "-XX:+UseG1GC"), "bench.jar", args, Path.of("/tmp/k2.json"));
        assertThat(cmd).containsExactly("/usr/bin/taskset", "-c", "0-1", "/jdk/bin/java", "-XX:ActiveProcessorCount=2", "-Xmx2g",
                "-XX:+UseG1GC", "-cp", "bench.jar", "dev.secretstore.bench.cluster.BenchMain", "--op", "shadow", "--nodes", "1", "--duration",
                "5", "--json", "/tmp/k2.json");
        assertThat(CoreSweep.command(1, false, "java", List.of(), "cp", List.of("--op", "shadow"), Path.of("k1.json")))
                .containsExactly("java", "-XX:ActiveProcessorCount=1", "-cp", "cp", "dev.secretstore.bench.cluster.BenchMain", "--op", "shadow",
                        "--json", "k1.json");
        assertThat(CoreSweep.command(1, true, "java", List.of(), "cp", List.of(), Path.of("k.json"))).startsWith("/usr/bin/taskset", "-c", "0");
    }

    @Test
    void coresUsedIsTheClustersCpuSecondsOverTheWindow() throws Exception {
        String json = """
                {"machine": {"cpus": 2}, "runs": [
                  {"op": "shadow", "nodes": 1, "threshold": 0, "ops_per_second": 900.5, "p50_ms": 8.0, "p99_ms": 20.0,
                   "seconds": 10.0, "cluster_cpu_seconds": 17.0, "cluster_cpu_ms_per_op": 1.9},
                  {"op": "generate", "nodes": 1, "threshold": 0, "ops_per_second": 0, "p50_ms": 0, "p99_ms": 0,
                   "seconds": 10.0, "cluster_cpu_seconds": null, "cluster_cpu_ms_per_op": null}]}
                """;
        List<CoreSweep.Point> points = CoreSweep.points(2, true, new ObjectMapper().readTree(json));
        assertThat(points).hasSize(2);
        assertThat(points.get(0)).isEqualTo(new CoreSweep.Point(2, true, 2, "shadow", 1, 0, 900.5, 8.0, 20.0, 1.7, 1.9));
        assertThat(points.get(1).coresUsed()).isNull();
        assertThat(Report.coreTable(points)).contains("| 2 | taskset | shadow | 1 | 0 | 900.5 | 8.0 | 20.0 | 1.70 | 1.90 |",
                "| 2 | taskset | generate | 1 | 0 | 0.0 | 0.0 | 0.0 | n/a | n/a |");
    }
}
