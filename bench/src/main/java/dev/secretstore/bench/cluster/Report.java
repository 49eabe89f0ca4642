package dev.secretstore.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text and JSON forms of the results. Pure formatting. */
public final class Report {
    private Report() {}

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** The price table: µs per primitive, the three implementations, and ours over libsecp256k1. */
    public static String prices(PrimitiveCosts.Prices prices) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("%-10s %-34s %12s %12s %12s %12s%n", "primitive", "", "libsecp256k1", "ours", "BouncyCastle", "ours/libsecp"));
        for (Primitive p : Primitive.values()) {
            double lib = prices.libsecp256k1().get(p);
            double ours = prices.ours().get(p);
            double bc = prices.bouncyCastle().get(p);
            sb.append(f("%-10s %-34s %9.1f µs %9.1f µs %9.1f µs %11.1f×%n", p.symbol(), p.meaning(), lib, ours, bc, ours / lib));
        }
        return sb.toString();
    }

    /** The floor of one operation: each line with its justification, then the totals and their prices. */
    public static String floor(Operation op, int n, int t, PrimitiveCosts.Prices prices) {
        List<Floor.Line> lines = Floor.lines(op, n, t);
        StringBuilder sb = new StringBuilder();
        sb.append(f("floor of %s, N = %d, t = %d (group of %d):%n", op.title(), n, t, op.groupSize(n, t)));
        for (Floor.Line l : lines) {
            sb.append(f("  %5d × %-10s %-36s %s%n", l.count(), l.primitive().symbol(), l.who(), l.why()));
        }
        Map<Primitive, Long> totals = Floor.totals(lines);
        StringBuilder t2 = new StringBuilder();
        totals.forEach((p, c) -> t2.append(t2.length() == 0 ? "" : " + ").append(c).append(" ").append(p.symbol()));
        sb.append(f("  total: %s = %.3f ms with libsecp256k1, %.3f ms with ours, %.3f ms with BouncyCastle%n", t2,
                Floor.micros(totals, prices.libsecp256k1()) / 1000, Floor.micros(totals, prices.ours()) / 1000,
                Floor.micros(totals, prices.bouncyCastle()) / 1000));
        return sb.toString();
    }

    /** A few lines for one run. */
    public static String run(RunResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("%s, N = %d, t = %d, %s, %s keys stored, %s%n", r.title(), r.nodes(), r.threshold(),
                r.targetRate() > 0 ? f("open loop at %.0f ops/s (%d threads)", r.targetRate(), r.concurrency())
                        : f("closed loop, concurrency %d", r.concurrency()), f("%,d", r.storedKeys()), r.target()));
        sb.append(f("  %,d ops in %.1f s = %.1f ops/s   latency p50 %.1f  p95 %.1f  p99 %.1f  max %.1f ms   errors %d%n",
                r.ops(), r.seconds(), r.opsPerSecond(), r.p50Ms(), r.p95Ms(), r.p99Ms(), r.maxMs(), r.errors()));
        if (r.cpuMsPerOp() != null) {
            sb.append(f("  CPU per op %.2f ms = cluster %.2f + load generator %.2f   (GC %d collections, %d ms; JIT %d ms in the window)%n",
                    r.cpuMsPerOp(), r.clusterCpuMsPerOp(), r.loadGeneratorCpuMsPerOp(), r.gcCount(), (long) r.gcMillis(), r.jitMillis()));
            StringBuilder g = new StringBuilder();
            r.cpuMsPerOpByThreadGroup().forEach((k, v) -> g.append(g.length() == 0 ? "" : ", ").append(f("%s %.2f", k, v)));
            sb.append("  by threads (ms/op): ").append(g).append('\n');
            Double http = r.cpuMsPerOpByThreadGroup().get(CpuAccounting.HTTP);
            if (http != null && r.clusterCpuMsPerOp() > 0) {
                sb.append(f("  HTTP server threads: %.2f ms/op = %.1f%% of the cluster's CPU%n", http, 100 * http / r.clusterCpuMsPerOp()));
            }
            sb.append(f("  floor %.3f ms (libsecp256k1), %.3f ms (ours), %.3f ms (BouncyCastle)   cluster CPU / floor: %.1f× libsecp256k1, %.2f× ours, %.2f× BouncyCastle%n",
                    r.floorLibsecpMs(), r.floorOursMs(), r.floorBouncyCastleMs(), r.ratioToLibsecpFloor(), r.ratioToOursFloor(),
                    r.ratioToBouncyCastleFloor()));
            sb.append(f("  without the JVM's own threads (JIT, GC): %.2f ms per op = %.1f× the libsecp256k1 floor%n",
                    r.clusterJavaCpuMsPerOp(), r.javaRatioToLibsecpFloor()));
        } else {
            sb.append(f("  floor %.3f ms (libsecp256k1), %.3f ms (ours), %.3f ms (BouncyCastle); %s%n", r.floorLibsecpMs(), r.floorOursMs(),
                    r.floorBouncyCastleMs(),
                    r.clusterCpuSeconds() == null ? "the cluster's CPU is not measured (remote)"
                            : f("no operation completed; the cluster used %.1f s of CPU in the window", r.clusterCpuSeconds())));
        }
        sb.append(f("  load average %s before, %s after; %d answers decrypted and verified%s%s%n", r.loadAverageBefore(), r.loadAverageAfter(),
                r.fullyChecked(), r.poolExhausted() ? "; the key pool ran out, the window ended early" : "",
                r.targetRate() > 0 && r.maxLateSeconds() > 0.1 ? f("; requests started up to %.1f s late (too few threads or saturated)", r.maxLateSeconds()) : ""));
        r.errorKinds().forEach((k, v) -> sb.append(f("  error ×%d: %s%n", v, k)));
        RunResult.Links l = r.links();
        if (l != null) {
            sb.append(f("  member links: %s ms each way; p90 %.1f ms; %s cluster messages per op (%,d transport frames in the window)%s%n",
                    num(l.oneWayMs()), l.p90Ms(), l.messagesPerOp() == null ? "n/a" : f("%.1f", l.messagesPerOp()), l.frames(),
                    l.roundTripsP50() == null ? ""
                            : f("; latency in member round trips (latency / %s ms): p50 %.2f, p99 %.2f", num(2 * l.oneWayMs()),
                                    l.roundTripsP50(), l.roundTripsP99())));
        }
        return sb.toString();
    }

    static String num(double v) {
        return v == Math.rint(v) ? f("%.0f", v) : f("%s", v);
    }

    /**
     * The WAN table (Markdown): per run the link delay, latency percentiles, the latency in member round trips
     * (latency / 2D), the round trips on the critical path from the runs of the same operation at the smallest delay
     * (Δp50 / 2ΔD, which cancels CPU and queueing time common to both) and the cluster messages per operation.
     */
    public static String wanTable(List<RunResult> runs) {
        Map<RunResult, Double> delta = deltaRoundTrips(runs);
        StringBuilder sb = new StringBuilder();
        sb.append("| op | N | t | one-way ms | load | ops/s | p50 ms | p90 ms | p99 ms | p50 / 2D | p99 / 2D | Δp50 / 2ΔD "
                + "| messages / op |\n");
        sb.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : runs) {
            RunResult.Links l = r.links();
            if (l == null) continue;
            Double d = delta.get(r);
            sb.append(f("| %s | %d | %d | %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s |%n", r.op(), r.nodes(), r.threshold(),
                    num(l.oneWayMs()), r.targetRate() > 0 ? f("%.0f/s", r.targetRate()) : "c=" + r.concurrency(), r.opsPerSecond(), r.p50Ms(),
                    l.p90Ms(), r.p99Ms(), l.roundTripsP50() == null ? "n/a" : f("%.2f", l.roundTripsP50()),
                    l.roundTripsP99() == null ? "n/a" : f("%.2f", l.roundTripsP99()), d == null ? "" : f("%.2f", d),
                    l.messagesPerOp() == null ? "n/a" : f("%.1f", l.messagesPerOp())));
        }
        return sb.toString();
    }

    /**
     * For each WAN run with a larger delay than another run of the same operation, N and t: (p50 − p50 at the smallest
     * delay) / (2 · (D − smallest D)), the member round trips on the operation's critical path.
     */
    static Map<RunResult, Double> deltaRoundTrips(List<RunResult> runs) {
        Map<String, RunResult> base = new LinkedHashMap<>();
        for (RunResult r : runs) {
            if (r.links() == null || r.ops() == 0) continue;
            String k = r.op() + "/" + r.nodes() + "/" + r.threshold();
            RunResult b = base.get(k);
            if (b == null || r.links().oneWayMs() < b.links().oneWayMs()) base.put(k, r);
        }
        Map<RunResult, Double> out = new java.util.IdentityHashMap<>();
        for (RunResult r : runs) {
            if (r.links() == null || r.ops() == 0) continue;
            RunResult b = base.get(r.op() + "/" + r.nodes() + "/" + r.threshold());
            double dd = r.links().oneWayMs() - b.links().oneWayMs();
            if (dd > 0) out.put(r, (r.p50Ms() - b.p50Ms()) / (2 * dd));
        }
        return out;
    }

    /** The core-scaling table (Markdown): per K and run, throughput, latency and the cores the cluster kept busy. */
    static String coreTable(List<CoreSweep.Point> points) {
        StringBuilder sb = new StringBuilder();
        sb.append("| K (active processors) | pinned | op | N | t | ops/s | p50 ms | p99 ms | cores used | CPU ms/op |\n");
        sb.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CoreSweep.Point p : points) {
            sb.append(f("| %d | %s | %s | %d | %d | %.1f | %.1f | %.1f | %s | %s |%n", p.cores(), p.pinned() ? "taskset" : "no", p.op(), p.nodes(),
                    p.threshold(), p.opsPerSecond(), p.p50Ms(), p.p99Ms(), p.coresUsed() == null ? "n/a" : f("%.2f", p.coresUsed()),
                    p.clusterCpuMsPerOp() == null ? "n/a" : f("%.2f", p.clusterCpuMsPerOp())));
        }
        return sb.toString();
    }

    /** One row per run (Markdown table). */
    public static String table(List<RunResult> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| op | N | t | load | ops/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU ms/op (cluster + load gen.) "
                + "| floor ms libsecp / ours / BC | ×floor libsecp | ×floor ours | ×floor BC | ×floor libsecp, no JIT/GC threads |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : runs) {
            String cpu = r.cpuMsPerOp() == null ? "n/a" : f("%.2f (%.2f + %.2f)", r.cpuMsPerOp(), r.clusterCpuMsPerOp(), r.loadGeneratorCpuMsPerOp());
            sb.append(f("| %s | %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %s | %.3f / %.3f / %.3f | %s | %s | %s | %s |%n", r.op(),
                    r.nodes(), r.threshold(), r.targetRate() > 0 ? f("%.0f/s", r.targetRate()) : "c=" + r.concurrency(), r.opsPerSecond(),
                    r.p50Ms(), r.p95Ms(), r.p99Ms(), r.maxMs(), r.errors(), cpu, r.floorLibsecpMs(), r.floorOursMs(), r.floorBouncyCastleMs(),
                    r.ratioToLibsecpFloor() == null ? "n/a" : f("%.1f", r.ratioToLibsecpFloor()),
                    r.ratioToOursFloor() == null ? "n/a" : f("%.2f", r.ratioToOursFloor()),
                    r.ratioToBouncyCastleFloor() == null ? "n/a" : f("%.2f", r.ratioToBouncyCastleFloor()),
                    r.javaRatioToLibsecpFloor() == null ? "n/a" : f("%.1f", r.javaRatioToLibsecpFloor())));
        }
        return sb.toString();
    }

    /**
     * The idle-connection table (Markdown): per level, the connections opened and still held, the process's heap
     * after GC, resident set and threads, and the growth over the level without connections per connection the
     * server held (a server that closes some at once, like the JDK's beyond 200 idle ones, holds only those).
     */
    public static String idle(String target, List<IdleConnections.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("idle keep-alive connections to %s%n", target));
        sb.append("| connections | opened | held | heap after GC MiB | Δ heap / held KiB | RSS MiB | Δ RSS / held KiB "
                + "| threads (OS / Java) | s | load average |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        IdleConnections.Row base = rows.stream().filter(r -> r.requested() == 0).findFirst().orElse(null);
        for (IdleConnections.Row r : rows) {
            IdleConnections.Memory m = r.memory();
            IdleConnections.Memory b = base == null ? null : base.memory();
            sb.append(f("| %d | %d | %d | %s | %s | %s | %s | %s | %.1f | %s |%n", r.requested(), r.opened(), r.held(),
                    m.heapUsedBytes() == null ? "n/a" : f("%.1f", m.heapUsedBytes() / 1048576.0),
                    perConnection(m.heapUsedBytes(), b == null ? null : b.heapUsedBytes(), r.held()),
                    m.rssBytes() == null ? "n/a" : f("%.1f", m.rssBytes() / 1048576.0),
                    perConnection(m.rssBytes(), b == null ? null : b.rssBytes(), r.held()),
                    m.osThreads() == null ? "n/a" : m.osThreads() + " / " + m.javaThreads(), r.seconds(), r.loadAverage()));
        }
        return sb.toString();
    }

    private static String perConnection(Long now, Long base, int held) {
        if (now == null || base == null || held == 0) return "";
        return f("%.1f", (now - base) / 1024.0 / held);
    }

    /** A profile summary: percentages of the samples. */
    public static String profile(JfrProfile.Summary s) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("  JFR: %,d CPU samples (Java code), %,d wall-clock samples inside SQLite's native code%n", s.samples(), s.sqliteNativeSamples()));
        sb.append(f("  HTTP server layer (the \"HTTP server: …\" categories below): %.1f%% of the samples%n",
                100.0 * s.httpLayerSamples() / Math.max(1, s.samples())));
        section(sb, "by primitive or library", s.byPrimitive(), s.samples(), 100);
        section(sb, "by thread group", s.byThreadGroup(), s.samples(), 100);
        section(sb, "by project frame above the primitives", s.byContext(), s.samples(), 25);
        section(sb, "hottest leaf methods", s.topLeaves(), s.samples(), 12);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, Map<String, Long> m, long total, int limit) {
        sb.append("  ").append(title).append(":\n");
        m.entrySet().stream().limit(limit)
                .forEach(e -> sb.append(f("    %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey())));
    }

    /** The JSON document {@code --json} writes. */
    public static Map<String, Object> document(Map<String, Object> machine, PrimitiveCosts.Prices prices, List<RunResult> runs) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", 1);
        doc.put("machine", machine);
        Map<String, Object> p = new LinkedHashMap<>();
        Map<String, Double> lib = new LinkedHashMap<>();
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> bc = new LinkedHashMap<>();
        prices.libsecp256k1().forEach((k, v) -> lib.put(k.key(), v));
        prices.ours().forEach((k, v) -> ours.put(k.key(), v));
        prices.bouncyCastle().forEach((k, v) -> bc.put(k.key(), v));
        p.put("libsecp256k1", lib);
        p.put("ours", ours);
        p.put("bouncycastle", bc);
        doc.put("prices_us", p);
        doc.put("runs", runs);
        return doc;
    }

    public static void writeJson(Path file, Map<String, Object> document) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        JSON.writeValue(file.toFile(), document);
    }
}
