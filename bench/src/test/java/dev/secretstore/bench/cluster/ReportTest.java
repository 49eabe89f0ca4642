package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures derived from a measurement, and their text and JSON forms. */
class ReportTest {
    @TempDir
    Path dir;

    private static PrimitiveCosts.Prices prices() {
        Map<Primitive, Double> lib = new EnumMap<>(Primitive.class);
        Map<Primitive, Double> ours = new EnumMap<>(Primitive.class);
        Map<Primitive, Double> bc = new EnumMap<>(Primitive.class);
        for (Primitive p : Primitive.values()) {
            lib.put(p, 10.0);
            ours.put(p, 40.0);
            bc.put(p, 100.0);
        }
        return new PrimitiveCosts.Prices(lib, ours, bc);
    }

    /** 1,000 successful shadow retrievals in 4 s; 8 s of process CPU of which 0.5 s load generator. */
    private static RunResult sample() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) h.record(i * 100L); // 0.1 … 100 ms
        Map<String, Long> groups = new LinkedHashMap<>();
        groups.put(CpuAccounting.LOOP, 6_000_000_000L);
        groups.put(CpuAccounting.LOAD, 500_000_000L);
        groups.put(CpuAccounting.VM, 1_500_000_000L);
        CpuAccounting.Window cpu = new CpuAccounting.Window(8_000_000_000L, groups, 120, 7, 30, 4_000_000_000L);
        LoadRunner.Result r = new LoadRunner.Result(h, 1000, 2, Map.of("HTTP 500 \"Internal error\"", 2L), cpu, 4.0, 12.0, 900, 0, 3, false, 0);
        LoadRunner.Config config = new LoadRunner.Config(8, 0, Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ofSeconds(4), 3, "x", 1000);
        Map<Primitive, Long> floor = Floor.totals(Floor.lines(Operation.SHADOW, 3, 1)); // 29 primitives
        return RunResult.of(Operation.SHADOW, "in-process cluster", 3, 1, config, 1000, r, true, floor, prices(), "0.50 0.40 0.30",
                "1.50 0.60 0.35", null, null);
    }

    @Test
    void perOperationFiguresAndRatios() {
        RunResult r = sample();
        assertThat(r.opsPerSecond()).isEqualTo(250.0);
        assertThat(r.cpuMsPerOp()).isEqualTo(8.0);
        assertThat(r.loadGeneratorCpuMsPerOp()).isEqualTo(0.5);
        assertThat(r.clusterCpuMsPerOp()).isEqualTo(7.5);
        assertThat(r.clusterJavaCpuMsPerOp()).isEqualTo(6.0); // without the 1.5 s of JVM threads
        assertThat(r.javaRatioToLibsecpFloor()).isEqualTo(6.0 / 0.29, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.cpuMsPerOpByThreadGroup()).containsEntry(CpuAccounting.LOOP, 6.0).containsEntry(CpuAccounting.VM, 1.5);
        assertThat(r.floorLibsecpMs()).isEqualTo(0.29, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.floorOursMs()).isEqualTo(1.16, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.ratioToLibsecpFloor()).isEqualTo(7.5 / 0.29, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.ratioToOursFloor()).isEqualTo(7.5 / 1.16, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.floorBouncyCastleMs()).isEqualTo(2.9, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.ratioToBouncyCastleFloor()).isEqualTo(7.5 / 2.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.p50Ms()).isBetween(50.0, 50.0 * (1 + 1.0 / 64));
        assertThat(r.p99Ms()).isBetween(99.0, 99.0 * (1 + 1.0 / 64));
        assertThat(r.maxMs()).isEqualTo(100.0);
        assertThat(r.groupSize()).isEqualTo(2);
        assertThat(r.floorCounts()).containsEntry("k_g", 8L).containsEntry("recover", 1L);
    }

    @Test
    void jsonHasTheSameFiguresInSnakeCase() throws Exception {
        Path file = dir.resolve("out/bench.json");
        Report.writeJson(file, Report.document(Map.of("cpus", 2), prices(), List.of(sample())));
        JsonNode doc = new ObjectMapper().readTree(file.toFile());
        assertThat(doc.get("format").asInt()).isEqualTo(1);
        assertThat(doc.at("/prices_us/libsecp256k1/k_g").asDouble()).isEqualTo(10.0);
        assertThat(doc.at("/prices_us/ours/recover").asDouble()).isEqualTo(40.0);
        assertThat(doc.at("/prices_us/bouncycastle/k_p").asDouble()).isEqualTo(100.0);
        JsonNode run = doc.get("runs").get(0);
        assertThat(run.get("op").asText()).isEqualTo("shadow");
        assertThat(run.get("nodes").asInt()).isEqualTo(3);
        assertThat(run.get("ops").asLong()).isEqualTo(1000);
        assertThat(run.get("errors").asLong()).isEqualTo(2);
        assertThat(run.get("ops_per_second").asDouble()).isEqualTo(250.0);
        assertThat(run.get("cpu_ms_per_op").asDouble()).isEqualTo(8.0);
        assertThat(run.get("cluster_cpu_ms_per_op").asDouble()).isEqualTo(7.5);
        assertThat(run.get("cluster_cpu_seconds").asDouble()).isEqualTo(7.5);
        assertThat(run.get("ratio_to_libsecp_floor").asDouble()).isEqualTo(7.5 / 0.29, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(run.get("ratio_to_bouncy_castle_floor").asDouble()).isEqualTo(7.5 / 2.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(run.get("max_ms").asDouble()).isEqualTo(100.0);
        assertThat(run.get("load_average_before").asText()).isEqualTo("0.50 0.40 0.30");
        assertThat(run.at("/floor_counts/pub_k_p").asLong()).isEqualTo(8);
        assertThat(run.at("/error_kinds").fieldNames().next()).startsWith("HTTP 500");
        assertThat(run.has("p95_ms")).isTrue();
        assertThat(run.get("profile").isNull()).isTrue();
    }

    @Test
    void aWindowWithoutAnyOperationReportsTheCpuItBurned() {
        Map<String, Long> groups = new LinkedHashMap<>();
        groups.put(CpuAccounting.LOOP, 90_000_000_000L);
        CpuAccounting.Window cpu = new CpuAccounting.Window(95_000_000_000L, groups, 0, 0, 0, 60_000_000_000L);
        LoadRunner.Result r = new LoadRunner.Result(new LatencyHistogram(), 0, 0, Map.of(), cpu, 60.0, 10.0, 0, 0, 0, false, 0);
        LoadRunner.Config config = new LoadRunner.Config(8, 0, Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ofSeconds(60), 3, "x", 1000);
        RunResult result = RunResult.of(Operation.SHADOW, "in-process cluster", 3, 1, config, 1_000_000, r, true,
                Floor.totals(Floor.lines(Operation.SHADOW, 3, 1)), prices(), "5", "4", null, null);
        assertThat(result.cpuMsPerOp()).isNull();
        assertThat(result.ratioToLibsecpFloor()).isNull();
        assertThat(Report.run(result)).contains("0 ops in 60.0 s", "no operation completed; the cluster used 95.0 s of CPU in the window");
    }

    @Test
    void textGivesTheHttpServersShareOfTheClusterCpu() {
        Map<String, Long> groups = new LinkedHashMap<>();
        groups.put(CpuAccounting.LOOP, 4_500_000_000L);
        groups.put(CpuAccounting.HTTP, 1_500_000_000L);
        groups.put(CpuAccounting.LOAD, 500_000_000L);
        groups.put(CpuAccounting.VM, 1_500_000_000L);
        CpuAccounting.Window cpu = new CpuAccounting.Window(8_000_000_000L, groups, 120, 7, 30, 4_000_000_000L);
        LoadRunner.Result r = new LoadRunner.Result(new LatencyHistogram(), 1000, 0, Map.of(), cpu, 4.0, 12.0, 900, 0, 3, false, 0);
        LoadRunner.Config config = new LoadRunner.Config(8, 0, Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ofSeconds(4), 3, "x", 1000);
        RunResult result = RunResult.of(Operation.SHADOW, "in-process cluster", 3, 1, config, 1000, r, true,
                Floor.totals(Floor.lines(Operation.SHADOW, 3, 1)), prices(), "0", "0", null, null);
        assertThat(Report.run(result)).contains("HTTP server threads: 1.50 ms/op = 20.0% of the cluster's CPU");
    }

    @Test
    void profileGivesTheHttpLayersShareOfTheSamples() {
        JfrProfile.Summary s = new JfrProfile.Summary(400, Map.of(JfrProfile.HTTP_EDGE, 30L, "Netty", 10L), Map.of(), Map.of(), Map.of(), 0, 30);
        assertThat(Report.profile(s)).contains("): 7.5% of the samples", "7.5%  " + JfrProfile.HTTP_EDGE);
    }

    @Test
    void textNamesTheFiguresAndTheFloor() {
        String text = Report.run(sample());
        assertThat(text).contains("1,000 ops in 4.0 s = 250.0 ops/s", "errors 2", "CPU per op 8.00 ms = cluster 7.50 + load generator 0.50",
                "cluster CPU / floor: 25.9× libsecp256k1, 6.47× ours, 2.59× BouncyCastle", "without the JVM's own threads (JIT, GC): 6.00 ms per op = 20.7×",
                "load average 0.50 0.40 0.30 before");
        assertThat(Report.table(List.of(sample()))).contains("| shadow | 3 | 1 | c=8 | 250.0 |");
        assertThat(Report.floor(Operation.SHADOW, 3, 1, prices())).contains("total: 8 k·G + 8 k·P + 2 k·P again + 8 a·P + 2 a·G+b·P + 1 recover",
                "0.290 ms with libsecp256k1, 1.160 ms with ours, 2.900 ms with BouncyCastle");
        assertThat(Report.prices(prices())).contains("4.0×");
    }
}
