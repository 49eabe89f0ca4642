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
        String jfrFile, JfrProfile.Summary profile, Links links) {

    /**
     * WAN mode ({@code --link-delay-ms}): every member link delayed by {@code oneWayMs} each way. {@code messagesPerOp}
     * counts the cluster transport's frames the delaying proxies forwarded in the window per successful operation
     * (all members, both directions); {@code roundTripsP50}/{@code P99} are the latency percentiles divided by one
     * member round trip (2 · {@code oneWayMs}): the round trips on an operation's critical path, plus its CPU and
     * queueing time expressed in round trips (null without a delay).
     */
    public record Links(double oneWayMs, double p90Ms, long frames, Double messagesPerOp, Double roundTripsP50, Double roundTripsP99) {
        static Links of(double oneWayMs, double p90Ms, long frames, long ops, double p50Ms, double p99Ms) {
            Double perOp = ops > 0 ? (double) frames / ops : null;
            return new Links(oneWayMs, p90Ms, frames, perOp, oneWayMs > 0 && ops > 0 ? p50Ms / (2 * oneWayMs) : null,
                    oneWayMs > 0 && ops > 0 ? p99Ms / (2 * oneWayMs) : null);
        }
    }

    /** This result with the member-link figures of a run through delaying proxies ({@code p90Ms}: the run's p90). */
    RunResult withLinks(double oneWayMs, double p90Ms, long frames) {
        return new RunResult(op, title, target, nodes, threshold, groupSize, concurrency, targetRate, storedKeys, warmupSeconds, seconds, ops,
                errors, errorKinds, opsPerSecond, p50Ms, p95Ms, p99Ms, maxMs, meanMs, clusterCpuSeconds, cpuMsPerOp, clusterCpuMsPerOp,
                clusterJavaCpuMsPerOp, loadGeneratorCpuMsPerOp, cpuMsPerOpByThreadGroup, gcMillis, gcCount, jitMillis, floorCounts,
                floorLibsecpMs, floorOursMs, floorBouncyCastleMs, ratioToLibsecpFloor, ratioToOursFloor, ratioToBouncyCastleFloor,
                javaRatioToLibsecpFloor, loadAverageBefore, loadAverageAfter, fullyChecked, poolExhausted, maxLateSeconds, jfrFile, profile,
                Links.of(oneWayMs, p90Ms, frames, ops, p50Ms, p99Ms));
    }

    /** Cores the cluster kept busy in the window: its CPU seconds over the window's seconds (null when not measured). */
    public Double coresUsed() {
        return clusterCpuSeconds == null || seconds <= 0 ? null : clusterCpuSeconds / seconds;
    }

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
                loadBefore, loadAfter, r.fullyChecked(), r.exhausted(), r.lateSeconds(), jfrFile, profile, null);
    }

    private static double ms(long nanos, long ops) {
        return nanos / 1e6 / ops;
    }
}
