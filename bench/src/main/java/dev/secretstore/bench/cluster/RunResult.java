package dev.secretstore.bench.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one measured run reports, as printed and as written to JSON (snake_case names). CPU figures
 * are milliseconds of CPU time per successful operation over the measured window; {@code null} where
 * they cannot be measured (a remote cluster's CPU). Ratios divide the cluster's CPU per operation (the
 * process minus the load generator's threads) by the floor; the "java" figures leave out the JVM's own
 * threads too (JIT compilers, GC workers), which on a busy machine can still be compiling after minutes.
 */
public record RunResult(
        String op, String title, String target, int nodes, int threshold, int groupSize, int concurrency, double targetRate,
        long storedKeys, double warmupSeconds, double seconds, long ops, long errors, Map<String, Long> errorKinds,
        double opsPerSecond, double p50Ms, double p95Ms, double p99Ms, double maxMs, double meanMs,
        Double clusterCpuSeconds, Double cpuMsPerOp, Double clusterCpuMsPerOp, Double clusterJavaCpuMsPerOp, Double loadGeneratorCpuMsPerOp,
        Map<String, Double> cpuMsPerOpByThreadGroup,
        double gcMillis, long gcCount, long jitMillis,
        Map<String, Long> floorCounts, double floorLibsecpMs, double floorOursMs, double floorBouncyCastleMs,
        Double ratioToLibsecpFloor, Double ratioToOursFloor, Double ratioToBouncyCastleFloor, Double javaRatioToLibsecpFloor,
        String loadAverageBefore, String loadAverageAfter, long fullyChecked, boolean poolExhausted, double maxLateSeconds,
        String jfrFile, JfrProfile.Summary profile) {

    /** Builds the result of a local or remote run from what was measured. */
    static RunResult of(Operation op, String target, int n, int t, LoadRunner.Config config, long storedKeys, LoadRunner.Result r,
                        boolean cpuIsCluster, Map<Primitive, Long> floor, PrimitiveCosts.Prices prices, String loadBefore,
                        String loadAfter, String jfrFile, JfrProfile.Summary profile) {
        LatencyHistogram h = r.latency();
        long ops = r.ops();
        Double cpu = null;
        Double cluster = null;
        Double clusterJava = null;
        Double load = null;
        Map<String, Double> byGroup = new LinkedHashMap<>();
        if (ops > 0) {
            load = ms(r.cpu().loadGeneratorNanos(), ops);
            if (cpuIsCluster) {
                cpu = ms(r.cpu().processNanos(), ops);
                cluster = ms(r.cpu().clusterNanos(), ops);
                clusterJava = ms(r.cpu().clusterNanos() - r.cpu().byGroup().getOrDefault(CpuAccounting.VM, 0L), ops);
                r.cpu().byGroup().forEach((g, nanos) -> byGroup.put(g, ms(nanos, ops)));
            }
        }
        double floorLib = Floor.micros(floor, prices.libsecp256k1()) / 1000.0;
        double floorOurs = Floor.micros(floor, prices.ours()) / 1000.0;
        double floorBc = Floor.micros(floor, prices.bouncyCastle()) / 1000.0;
        Map<String, Long> counts = new LinkedHashMap<>();
        floor.forEach((p, c) -> counts.put(p.key(), c));
        return new RunResult(op.id(), op.title(), target, n, t, op.groupSize(n, t), config.concurrency(), config.rate(), storedKeys,
                r.warmupSeconds(), r.seconds(), ops, r.errors(), r.errorKinds(), r.opsPerSecond(),
                h.percentile(50) / 1000.0, h.percentile(95) / 1000.0, h.percentile(99) / 1000.0, h.max() / 1000.0, h.mean() / 1000.0,
                cpuIsCluster ? r.cpu().clusterNanos() / 1e9 : null, cpu, cluster, clusterJava, load, byGroup,
                r.cpu().gcMillis(), r.cpu().gcCount(), r.cpu().jitMillis(), counts,
                floorLib, floorOurs, floorBc, cluster == null ? null : cluster / floorLib, cluster == null ? null : cluster / floorOurs,
                cluster == null ? null : cluster / floorBc, clusterJava == null ? null : clusterJava / floorLib,
                loadBefore, loadAfter, r.fullyChecked(), r.exhausted(), r.lateSeconds(), jfrFile, profile);
    }

    private static double ms(long nanos, long ops) {
        return nanos / 1e6 / ops;
    }
}
