package dev.secretstore.bench.cluster;

import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./secretstore bench}: load on a cluster through its HTTP API, measured against the cryptographic
 * floor (docs/benchmarks.md).
 */
@Command(name = "secretstore bench", mixinStandardHelpOptions = true, version = "secretstore bench 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Starts N key servers in this process on loopback (free ports, SQLite stores in a temporary directory, ACL "
                    + "\"none\"), or targets --url, warms up, then drives one operation through the HTTP API and prints "
                    + "ops/s, latency percentiles, errors and CPU time per operation.",
            "It also prints the operation's cryptographic floor: the curve multiplications and other heavy primitives "
                    + "it needs across all members, priced with libsecp256k1 (JNI), with our crypto layer and with "
                    + "BouncyCastle's multipliers, all measured at start, and the ratio of the cluster's CPU per operation "
                    + "to each."},
        footer = {"", "Examples:",
            "  ./secretstore bench --op shadow                 (3 nodes, t = 1, 8 threads, 10 s measured)",
            "  ./secretstore bench --op shadow --rate 500 --concurrency 64",
            "  ./secretstore bench --op generate,shadow --nodes 3,5,7,10,16 --json scaling.json",
            "  ./secretstore bench --op shadow --keys 1000000 --data-dir /var/tmp/bench   (seeds once)",
            "  ./secretstore bench --floor --op ecdsa --nodes 5   (the floor table only)",
            "  ./secretstore bench --idle-connections 0,100,250,500,1000   (memory of idle HTTP connections)"})
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--op", split = ",", paramLabel = "OP",
            description = "generate, store, shadow, retrieve, schnorr, ecdsa (comma-separated for several); required unless --idle-connections")
    List<String> ops;

    @Option(names = "--nodes", split = ",", paramLabel = "N", description = "cluster size(s) (default: 3; with --url, the number of URLs)")
    List<Integer> nodes;

    @Option(names = "--threshold", paramLabel = "T", description = "threshold t (default: ⌊(N−1)/2⌋)")
    Integer threshold;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "8", description = "load-generator threads (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "open loop at R requests/s, latency counted from when each was due (default: closed loop)")
    double rate;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "10", description = "measured seconds (default: ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "10",
            description = "minimum warm-up seconds; it goes on while the JIT is still compiling, up to 4 × S (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--url", split = ",", paramLabel = "URL", description = "target these key servers' HTTP APIs instead of an in-process cluster")
    List<URI> urls;

    @Option(names = "--keys", paramLabel = "K",
            description = "keys with a document key in each store, seeded directly (retrievals and signing pick among them; "
                    + "default 1000, or 20 made through the API with --url)")
    Long keys;

    @Option(names = "--store-keys", paramLabel = "K",
            description = "fresh keys without a document key for --op store (default: 200 per second of the longest warm-up and the run; "
                    + "100 with --url)")
    Long storeKeys;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "keep the cluster (node keys, stores) in DIR/n<N>-t<t> and reuse it next time, instead of a temporary directory")
    Path dataDir;

    @Option(names = "--requester-key", paramLabel = "FILE", description = "with --url: the requester's secret key (hex); default: a fresh key")
    Path requesterKey;

    @Option(names = "--jfr", paramLabel = "FILE", description = "record a JFR profile of the measured window and print where the CPU went")
    Path jfr;

    @Option(names = "--floor", description = "print the floor tables and primitive prices, run nothing")
    boolean floorOnly;

    @Option(names = "--checks", paramLabel = "N", defaultValue = "3",
            description = "answers to decrypt and verify completely (the rest are checked for shape) (default: ${DEFAULT-VALUE})")
    int checks;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "INFO",
            description = "the nodes' log level (java.util.logging), logged to a file that is kept with --data-dir or after "
                    + "errors (default: ${DEFAULT-VALUE}, as a production node)")
    String logLevel;

    @Option(names = "--price-time", paramLabel = "S", defaultValue = "0.5",
            description = "seconds of CPU per primitive price measurement (default: ${DEFAULT-VALUE}; our primitives warm up twice as long)")
    double priceTime;

    @Option(names = "--idle-connections", split = ",", paramLabel = "N",
            description = "instead of load: for each N, open N keep-alive connections to the first node's HTTP API (or the first --url), "
                    + "one request each, then idle; print the heap after GC, the resident set and the threads of this process with them open, "
                    + "and how many the server still held (docs/benchmarks.md)")
    List<Integer> idleConnections;

    @Option(names = "--idle-per-address", paramLabel = "K", defaultValue = "50",
            description = "idle connections per loopback source address 127.0.0.x (default: ${DEFAULT-VALUE}; the HTTP API allows 64 per address)")
    int idlePerAddress;

    @Option(names = "--idle-max-connections", paramLabel = "N",
            description = "with --idle-connections and the in-process cluster: the nodes' HTTP API connection cap (http_max_connections; "
                    + "default: the node's, 1024)")
    Integer idleMaxConnections;

    @Option(names = "--link-delay-ms", split = ",", paramLabel = "D",
            description = "WAN mode: every member-to-member link goes through a user-space proxy that delays each byte by D ms "
                    + "each way; the report adds p90, cluster messages per operation and latency in member round trips "
                    + "(latency / 2D); 0 counts messages through the proxies without delay. Several: each operation is measured "
                    + "at each D in turn on the same cluster, and the round trips on the critical path are also given as "
                    + "Δlatency / 2ΔD against the smallest D (in-process cluster only)")
    List<Double> linkDelayMs;

    @Option(names = "--cores", split = ",", paramLabel = "K",
            description = "core scaling: run the whole measurement once per K in a child JVM with -XX:ActiveProcessorCount=K, "
                    + "pinned to CPUs 0 … K−1 with taskset where it exists, and print throughput and cores used per K")
    List<Integer> cores;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "also draw the results as SVG: throughput and latency percentiles per run, and the N-scaling and "
                    + "core-scaling curves when the runs sweep them")
    Path plot;

    private final PrintStream out;
    private final PrintStream err;
    /** The command line as given (the core sweep passes it on to its children). */
    private List<String> args = List.of();
    private int numberOfRun;

    BenchMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BenchMain main = new BenchMain(out, err);
        main.args = List.of(args);
        CommandLine cl = new CommandLine(main);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    /** One measured run: an operation on a cluster of N with threshold t. */
    record Plan(Operation op, int n, int t) {}

    /** The runs, in order (clusters grouped by N); throws IllegalArgumentException for an impossible one. */
    List<Plan> plan() {
        if (ops == null || ops.isEmpty()) throw new IllegalArgumentException("--op is required (or --idle-connections)");
        List<Operation> operations = new ArrayList<>();
        for (String o : ops) {
            Operation op = Operation.parse(o);
            if (!operations.contains(op)) operations.add(op);
        }
        List<Integer> sizes = nodes != null ? nodes : List.of(remote() ? urls.size() : 3);
        if (urls != null && !urls.isEmpty() && sizes.size() != 1) throw new IllegalArgumentException("--url targets one cluster: give one --nodes");
        if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1");
        if (rate < 0 || duration <= 0 || warmup < 0) throw new IllegalArgumentException("--rate ≥ 0, --duration > 0 and --warmup ≥ 0");
        if (keys != null && keys < 1) throw new IllegalArgumentException("--keys must be at least 1");
        if (linkDelayMs != null && (linkDelayMs.isEmpty() || linkDelayMs.stream().anyMatch(d -> d < 0) || remote())) {
            throw new IllegalArgumentException("--link-delay-ms must be at least 0 and needs the in-process cluster (no --url)");
        }
        if (cores != null && (cores.isEmpty() || cores.stream().anyMatch(k -> k < 1) || remote())) {
            throw new IllegalArgumentException("--cores takes counts of at least 1 and needs the in-process cluster (no --url)");
        }
        List<Plan> plans = new ArrayList<>();
        for (int n : sizes) {
            if (n < 1) throw new IllegalArgumentException("--nodes must be at least 1");
            int t = threshold != null ? threshold : (n - 1) / 2;
            for (Operation op : operations) {
                String bad = op.unsupported(n, t);
                if (bad != null) throw new IllegalArgumentException(op.id() + ": " + bad);
                plans.add(new Plan(op, n, t));
            }
        }
        return plans;
    }

    boolean remote() {
        return urls != null && !urls.isEmpty();
    }

    long storeKeyCount() {
        if (storeKeys != null) return storeKeys;
        return remote() ? 100 : (long) Math.ceil(200 * (4 * warmup + duration));
    }

    long documentKeyCount() {
        if (keys != null) return keys;
        return remote() ? 20 : 1000;
    }

    /** The idle-connection levels, ascending, with the baseline 0 first; throws IllegalArgumentException for a bad one. */
    List<Integer> idleLevels() {
        if (ops != null && !ops.isEmpty()) throw new IllegalArgumentException("--idle-connections runs alone: drop --op");
        if (idlePerAddress < 1) throw new IllegalArgumentException("--idle-per-address must be at least 1");
        if (remote() && urls.size() != 1) throw new IllegalArgumentException("--idle-connections targets one --url");
        if (idleMaxConnections != null && (remote() || idleMaxConnections < 1)) {
            throw new IllegalArgumentException("--idle-max-connections sets the in-process nodes' cap (at least 1); not with --url");
        }
        TreeSet<Integer> levels = new TreeSet<>(idleConnections);
        if (levels.first() < 0) throw new IllegalArgumentException("--idle-connections must be at least 0");
        levels.add(0);
        if (levels.last() > 0) IdleConnections.source(levels.last() - 1, idlePerAddress); // enough source addresses for the last
        return List.copyOf(levels);
    }

    @Override
    public Integer call() throws Exception {
        if (idleConnections != null && !idleConnections.isEmpty()) return idle();
        List<Plan> plans;
        try {
            plans = plan();
        } catch (IllegalArgumentException e) {
            err.println("secretstore bench: " + e.getMessage());
            return 2;
        }
        if (cores != null && !floorOnly) return coreSweep();
        err.printf("measuring primitive prices (libsecp256k1 %s, ours, BouncyCastle) …%n", "0.22.0");
        PrimitiveCosts.Prices prices = PrimitiveCosts.measure(Duration.ofMillis((long) (2000 * priceTime)), Duration.ofMillis((long) (1000 * priceTime)));
        out.println("Primitive prices (µs of CPU per call, measured now):");
        out.print(Report.prices(prices));
        out.println();
        if (floorOnly) {
            for (Plan p : plans) {
                out.print(Report.floor(p.op(), p.n(), p.t(), prices));
                out.println();
            }
            if (json != null) Report.writeJson(json, Report.document(machine(), prices, List.of()));
            return 0;
        }
        Path log = configureLogging();
        List<RunResult> results = new ArrayList<>();
        Map<Integer, List<Plan>> byN = new LinkedHashMap<>();
        for (Plan p : plans) byN.computeIfAbsent(p.n(), k -> new ArrayList<>()).add(p);
        for (Map.Entry<Integer, List<Plan>> e : byN.entrySet()) {
            int n = e.getKey();
            int t = e.getValue().get(0).t();
            if (remote()) {
                results.addAll(runRemote(n, t, e.getValue(), prices, plans.size() > 1));
            } else {
                results.addAll(runLocal(n, t, e.getValue(), prices, plans.size() > 1));
            }
        }
        if (results.size() > 1) {
            out.println();
            out.print(Report.table(results));
        }
        if (linkDelayMs != null) {
            out.println();
            out.print(Report.wanTable(results));
        }
        if (plot != null) {
            Plots.write(plot, Plots.forRuns(results));
            err.println("wrote " + plot);
        }
        if (log != null) {
            LogManager.getLogManager().reset(); // closes the file
            boolean errors = results.stream().anyMatch(r -> r.errors() > 0 || r.ops() == 0);
            if (dataDir == null && !errors) {
                Files.deleteIfExists(log);
            } else {
                err.println("node log: " + log);
            }
        }
        if (json != null) {
            Report.writeJson(json, Report.document(machine(), prices, results));
            err.println("wrote " + json);
        }
        return results.stream().anyMatch(r -> r.ops() == 0) ? 1 : 0;
    }

    /** {@code --idle-connections}: the levels against the first node of an in-process cluster, or against --url. */
    private int idle() throws Exception {
        List<Integer> levels;
        try {
            levels = idleLevels();
        } catch (IllegalArgumentException e) {
            err.println("secretstore bench: " + e.getMessage());
            return 2;
        }
        if (remote()) return idleAgainst(urls.get(0), levels, "", false);
        Path log = configureLogging();
        int n = nodes != null && !nodes.isEmpty() ? nodes.get(0) : 3;
        int t = threshold != null ? threshold : (n - 1) / 2;
        int code;
        try (BenchCluster cluster = BenchCluster.open(dataDir == null ? null : dataDir.resolve("n" + n + "-t" + t), n, t, err)) {
            if (idleMaxConnections != null) cluster.httpConnectionLimits(idleMaxConnections, 64);
            err.printf("starting %d nodes in %s …%n", n, cluster.dir());
            cluster.start();
            code = idleAgainst(cluster.urls().get(0), levels, f(" (node 1 of an in-process cluster of %d, t = %d%s)", n, t,
                    idleMaxConnections == null ? "" : f(", http_max_connections = %d", idleMaxConnections)), true);
        }
        if (log != null) {
            LogManager.getLogManager().reset();
            if (dataDir == null && code == 0) Files.deleteIfExists(log);
            else err.println("node log: " + log);
        }
        return code;
    }

    private int idleAgainst(URI url, List<Integer> levels, String where, boolean measureMemory) throws Exception {
        IdleConnections idle = new IdleConnections(url, idlePerAddress);
        String target = url + where + (idle.spread() ? f(", %d per source address from 127.0.0.1", idlePerAddress) : "")
                + (measureMemory ? "" : "; memory is the target's, not measured here");
        err.println("warming up the HTTP API with " + Math.min(100, levels.get(levels.size() - 1)) + " connections …");
        idle.warmUp(Math.min(100, levels.get(levels.size() - 1)));
        List<IdleConnections.Row> rows = new ArrayList<>();
        for (int level : levels) {
            IdleConnections.Row row = idle.measure(level, measureMemory);
            err.printf("%,d idle connections: %,d opened, %,d held, %.1f s%n", level, row.opened(), row.held(), row.seconds());
            rows.add(row);
            Thread.sleep(2000); // the server notices the closes before the next level
        }
        out.println();
        out.print(Report.idle(target, rows));
        out.flush();
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format", 1);
            doc.put("machine", machine());
            Map<String, Object> idleDoc = new LinkedHashMap<>();
            idleDoc.put("target", target);
            idleDoc.put("per_address", idle.spread() ? idlePerAddress : null);
            idleDoc.put("rows", rows);
            doc.put("idle_connections", idleDoc);
            Report.writeJson(json, doc);
            err.println("wrote " + json);
        }
        return rows.stream().anyMatch(r -> r.requested() > 0 && r.opened() == 0) ? 1 : 0;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private List<RunResult> runLocal(int n, int t, List<Plan> plans, PrimitiveCosts.Prices prices, boolean several) throws Exception {
        List<RunResult> results = new ArrayList<>();
        Path dir = dataDir == null ? null : dataDir.resolve("n" + n + "-t" + t);
        try (BenchCluster cluster = BenchCluster.open(dir, n, t, err)) {
            if (linkDelayMs != null) cluster.linkDelay(millis(linkDelayMs.get(0)));
            boolean needDocumentKeys = plans.stream().anyMatch(p -> p.op().usesKeysWithDocumentKey());
            if (needDocumentKeys) cluster.seedDocumentKeys(documentKeyCount());
            SeededKeys blank = null;
            long blankCount = 0;
            if (plans.stream().anyMatch(p -> p.op() == Operation.STORE)) {
                byte[] tag = new byte[8];
                new java.security.SecureRandom().nextBytes(tag);
                blank = cluster.pool("blank-" + Hex.encode(tag), false);
                blankCount = storeKeyCount();
                cluster.seed(blank, 0, blankCount, "keys without a document key");
            }
            err.printf("starting %d nodes in %s …%n", n, cluster.dir());
            cluster.start();
            List<URI> urlsNow = cluster.urls();
            long stored = cluster.documentKeys() + blankCount;
            for (Plan p : plans) {
                KeyPool pool = p.op() == Operation.STORE ? KeyPool.seeded(blank, blankCount)
                        : p.op() == Operation.GENERATE ? null : KeyPool.seeded(cluster.pool(BenchCluster.DOCUMENT_KEY_POOL, true), cluster.documentKeys());
                Workload w = new Workload(p.op(), pool, cluster.requester(), n, t);
                if (linkDelayMs == null) {
                    results.add(measure(p, w, urlsNow, "in-process cluster", stored, true, prices, several, null, 0));
                    continue;
                }
                for (double d : linkDelayMs) {
                    cluster.relinkDelay(millis(d));
                    String target = "in-process cluster, member links delayed " + Report.num(d) + " ms each way";
                    results.add(measure(p, w, urlsNow, target, stored, true, prices, several || linkDelayMs.size() > 1, cluster::linkFrames, d));
                }
            }
        }
        return results;
    }

    private List<RunResult> runRemote(int n, int t, List<Plan> plans, PrimitiveCosts.Prices prices, boolean several) throws Exception {
        KeyPair requester = requesterKey == null ? KeyPair.random()
                : KeyPair.fromSecretBytes(Hex.decode(Files.readString(requesterKey, StandardCharsets.US_ASCII).trim().replaceFirst("^0x", "")));
        RemoteKeys maker = new RemoteKeys(urls, requester, t, err);
        List<RunResult> results = new ArrayList<>();
        KeyPool withDoc = null;
        for (Plan p : plans) {
            KeyPool pool = null;
            if (p.op().usesKeysWithDocumentKey()) {
                if (withDoc == null) withDoc = maker.make(documentKeyCount(), true);
                pool = withDoc;
            } else if (p.op() == Operation.STORE) {
                pool = maker.make(storeKeyCount(), false);
            }
            Workload w = new Workload(p.op(), pool, requester, urls.size(), t);
            results.add(measure(p, w, urls, String.join(",", urls.stream().map(URI::toString).toList()), pool == null ? 0 : pool.size(), false,
                    prices, several, null, 0));
        }
        return results;
    }

    private RunResult measure(Plan p, Workload w, List<URI> targets, String target, long stored, boolean local, PrimitiveCosts.Prices prices,
                              boolean several, java.util.function.LongSupplier linkFrames, double oneWayMs) throws Exception {
        String label = p.op().id() + " N=" + p.n() + " t=" + p.t() + (linkFrames == null ? "" : " D=" + Report.num(oneWayMs));
        LoadRunner.Config config = new LoadRunner.Config(concurrency, rate, seconds(warmup), seconds(4 * warmup), seconds(duration), checks,
                label, 120_000);
        String loadBefore = loadAverage();
        Path jfrFile = jfr == null ? null : several ? numbered(jfr, p) : jfr;
        LoadRunner runner = new LoadRunner(config, w, targets, err);
        // JFR starts with the warm-up: its first start instruments JDK I/O classes, and the deoptimisation that
        // follows must be over before the window; only the window's samples are summarised.
        JfrProfile profile = jfrFile == null ? null : JfrProfile.start(jfrFile);
        Instant[] window = new Instant[2];
        long[] frames = new long[2];
        runner.onWindow(start -> {
            window[start ? 0 : 1] = Instant.now();
            if (linkFrames != null) frames[start ? 0 : 1] = linkFrames.getAsLong();
        });
        LoadRunner.Result r;
        try {
            r = runner.run();
        } finally {
            if (profile != null) profile.stop();
        }
        String loadAfter = loadAverage();
        JfrProfile.Summary summary = profile == null ? null : JfrProfile.summarize(jfrFile, window[0], window[1]);
        RunResult result = RunResult.of(p.op(), target, p.n(), p.t(), config, stored, r, local,
                Floor.totals(Floor.lines(p.op(), p.n(), p.t())), prices, loadBefore, loadAfter, jfrFile == null ? null : jfrFile.toString(), summary);
        if (linkFrames != null) result = result.withLinks(oneWayMs, r.latency().percentile(90) / 1000.0, frames[1] - frames[0]);
        out.println();
        out.print(Report.run(result));
        if (summary != null) out.print(Report.profile(summary));
        out.flush();
        return result;
    }

    /** {@code --cores}: the same measurement once per K in a child JVM, then the scaling table (and plot). */
    private int coreSweep() throws Exception {
        CoreSweep sweep = new CoreSweep(args, err);
        List<CoreSweep.Point> points = new ArrayList<>();
        List<Map<String, Object>> documents = new ArrayList<>();
        int code = 0;
        for (int k : cores) {
            CoreSweep.Child child = sweep.run(k, out);
            code = Math.max(code, child.exitCode());
            points.addAll(child.points());
            if (child.document() != null) documents.add(child.document());
        }
        out.println();
        out.print(Report.coreTable(points));
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format", 1);
            doc.put("core_sweep", documents);
            doc.put("points", points);
            Report.writeJson(json, doc);
            err.println("wrote " + json);
        }
        if (plot != null) {
            Plots.write(plot, Plots.forCores(points));
            err.println("wrote " + plot);
        }
        return code;
    }

    private Path numbered(Path file, Plan p) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot);
        String delay = linkDelayMs == null ? "" : "-d" + numberOfRun++;
        return file.resolveSibling(stem + "-" + p.op().id() + "-n" + p.n() + delay + ext);
    }

    private static Duration millis(double ms) {
        return Duration.ofNanos(Math.round(ms * 1e6));
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "?" elsewhere. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "?";
    }

    /** Node logging (java.util.logging) to a file, as a production node would log to its journal. */
    private Path configureLogging() throws IOException {
        if (remote()) return null;
        Level level = Level.parse(logLevel.toUpperCase(java.util.Locale.ROOT));
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        if (level == Level.OFF) return null;
        Path file = dataDir != null ? dataDir.resolve("nodes.log") : Files.createTempFile("secretstore-bench-nodes-", ".log");
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileHandler handler = new FileHandler(file.toString(), 256L << 20, 1, true);
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(level);
        root.addHandler(handler);
        return file;
    }
}
