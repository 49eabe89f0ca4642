package dev.secretstore.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --cores K,…}: the bench's own command line, run once per K in a child JVM that sees K processors
 * ({@code -XX:ActiveProcessorCount=K}, which sizes the JVM's and Netty's pools and what
 * {@code availableProcessors()} tells the node) and, where {@code taskset} exists, may run only on CPUs
 * 0 … K−1, so K is also the hardware the nodes get. Each child writes its results as JSON; the sweep
 * reads throughput, latency and the cores the cluster kept busy per run.
 */
final class CoreSweep {
    /** Options the parent handles itself; each takes one value. */
    private static final Set<String> PARENT_ONLY = Set.of("--cores", "--plot", "--json");
    private static final Path TASKSET = Path.of("/usr/bin/taskset");

    /** One run of one child: K and what it measured. {@code pinned}: the child ran under taskset. */
    record Point(int cores, boolean pinned, int jvmProcessors, String op, int nodes, int threshold, double opsPerSecond, double p50Ms,
                 double p99Ms, Double coresUsed, Double clusterCpuMsPerOp) {}

    /** A finished child: its exit code, its runs and its whole JSON document (null if it wrote none). */
    record Child(int exitCode, List<Point> points, Map<String, Object> document) {}

    private final List<String> args;
    private final PrintStream log;

    CoreSweep(List<String> args, PrintStream log) {
        this.args = List.copyOf(args);
        this.log = log;
    }

    /** The child's arguments: the parent's without the options only the parent handles. */
    static List<String> childArgs(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (PARENT_ONLY.contains(name)) {
                if (!a.contains("=")) i++; // its value
                continue;
            }
            kept.add(a);
        }
        return kept;
    }

    /** The child's command for K cores: [taskset -c 0-(K−1)] java -XX:ActiveProcessorCount=K … BenchMain args --json FILE. */
    static List<String> command(int k, boolean taskset, String java, List<String> jvmArgs, String classPath, List<String> args, Path json) {
        List<String> cmd = new ArrayList<>();
        if (taskset) cmd.addAll(List.of(TASKSET.toString(), "-c", k == 1 ? "0" : "0-" + (k - 1)));
        cmd.add(java);
        cmd.add("-XX:ActiveProcessorCount=" + k);
        for (String a : jvmArgs) {
            if (a.startsWith("-Xm") || (a.startsWith("-XX:") && !a.startsWith("-XX:ActiveProcessorCount"))) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", classPath, BenchMain.class.getName()));
        cmd.addAll(childArgs(args));
        cmd.addAll(List.of("--json", json.toString()));
        return cmd;
    }

    /** Runs the child for K; its standard output goes to {@code out}, its progress to this sweep's log. */
    Child run(int k, PrintStream out) throws IOException, InterruptedException {
        int available = Runtime.getRuntime().availableProcessors();
        boolean taskset = Files.isExecutable(TASKSET) && k <= available;
        if (k > available) log.printf("--cores %d: this machine has %d processors, so the child is not pinned%n", k, available);
        Path json = Files.createTempFile("secretstore-bench-cores-" + k + "-", ".json");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = command(k, taskset, java, ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    System.getProperty("java.class.path"), args, json);
            log.println("core sweep, K = " + k + ": " + String.join(" ", cmd));
            out.printf("%n=== K = %d active processors%s ===%n", k, taskset ? f(", pinned to CPUs 0-%d", k - 1) : "");
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            int code = p.waitFor();
            out.flush();
            if (Files.size(json) == 0) return new Child(code == 0 ? 1 : code, List.of(), null);
            JsonNode doc = new ObjectMapper().readTree(json.toFile());
            @SuppressWarnings("unchecked")
            Map<String, Object> asMap = new ObjectMapper().convertValue(doc, Map.class);
            return new Child(code, points(k, taskset, doc), asMap);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /** The points of one child's JSON document. */
    static List<Point> points(int k, boolean pinned, JsonNode doc) {
        int jvm = doc.at("/machine/cpus").asInt();
        List<Point> points = new ArrayList<>();
        for (JsonNode r : doc.get("runs")) {
            JsonNode cpu = r.get("cluster_cpu_seconds");
            double seconds = r.get("seconds").asDouble();
            Double used = cpu == null || cpu.isNull() || seconds <= 0 ? null : cpu.asDouble() / seconds;
            JsonNode perOp = r.get("cluster_cpu_ms_per_op");
            points.add(new Point(k, pinned, jvm, r.get("op").asText(), r.get("nodes").asInt(), r.get("threshold").asInt(),
                    r.get("ops_per_second").asDouble(), r.get("p50_ms").asDouble(), r.get("p99_ms").asDouble(), used,
                    perOp == null || perOp.isNull() ? null : perOp.asDouble()));
        }
        return points;
    }

    private static String f(String format, Object... a) {
        return String.format(java.util.Locale.ROOT, format, a);
    }
}
