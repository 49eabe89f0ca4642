package dev.secretstore.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** {@code --plot}: the charts drawn from the bench's results ({@link SvgPlot} draws them). */
final class Plots {
    private Plots() {}

    /** A plot: its heading and charts. */
    record Plot(String heading, List<SvgPlot.Chart> charts) {}

    /**
     * The charts of a run list: throughput and latency percentiles per run; for an operation measured at several
     * N, throughput against N; for runs through delayed member links, latency in member round trips and messages
     * per operation.
     */
    static Plot forRuns(List<RunResult> runs) {
        List<SvgPlot.Chart> charts = new ArrayList<>();
        List<String> labels = runs.stream().map(Plots::label).toList();
        charts.add(new SvgPlot.Bars("Throughput per run", "ops/s", labels,
                List.of(new SvgPlot.Series("ops/s", runs.stream().map(r -> (Double) r.opsPerSecond()).toList()))));
        charts.add(new SvgPlot.Bars("Latency percentiles per run", "ms", labels, List.of(
                new SvgPlot.Series("p50", runs.stream().map(r -> (Double) r.p50Ms()).toList()),
                new SvgPlot.Series("p95", runs.stream().map(r -> (Double) r.p95Ms()).toList()),
                new SvgPlot.Series("p99", runs.stream().map(r -> (Double) r.p99Ms()).toList()))));
        Map<String, List<SvgPlot.Point>> byOp = new LinkedHashMap<>();
        Map<String, List<SvgPlot.Point>> cpuByOp = new LinkedHashMap<>();
        for (RunResult r : runs) {
            byOp.computeIfAbsent(r.title(), k -> new ArrayList<>()).add(new SvgPlot.Point(r.nodes(), r.opsPerSecond()));
            if (r.clusterCpuMsPerOp() != null) {
                cpuByOp.computeIfAbsent(r.title(), k -> new ArrayList<>()).add(new SvgPlot.Point(r.nodes(), r.clusterCpuMsPerOp()));
            }
        }
        List<SvgPlot.Line> scaling = lines(byOp);
        if (!scaling.isEmpty()) {
            charts.add(new SvgPlot.Lines("N-scaling: throughput", "N (nodes; t = threshold of the run)", "ops/s", scaling));
            List<SvgPlot.Line> cpu = lines(cpuByOp);
            if (!cpu.isEmpty()) charts.add(new SvgPlot.Lines("N-scaling: cluster CPU per operation", "N (nodes)", "CPU ms/op", cpu));
        }
        List<RunResult> wan = runs.stream().filter(r -> r.links() != null && r.links().roundTripsP50() != null).toList();
        if (!wan.isEmpty()) {
            List<String> wl = wan.stream().map(Plots::label).toList();
            charts.add(new SvgPlot.Bars("Latency in member round trips (latency / 2 × one-way delay)", "round trips", wl, List.of(
                    new SvgPlot.Series("p50", wan.stream().map(r -> r.links().roundTripsP50()).toList()),
                    new SvgPlot.Series("p99", wan.stream().map(r -> r.links().roundTripsP99()).toList()))));
            charts.add(new SvgPlot.Bars("Cluster messages per operation (all members)", "messages", wl,
                    List.of(new SvgPlot.Series("messages / op", wan.stream().map(r -> r.links().messagesPerOp()).toList()))));
        }
        return new Plot(heading(runs), charts);
    }

    /** The charts of a core sweep: throughput and cores used against K, and throughput and latency per run. */
    static Plot forCores(List<CoreSweep.Point> points) {
        List<SvgPlot.Chart> charts = new ArrayList<>();
        Map<String, List<SvgPlot.Point>> ops = new LinkedHashMap<>();
        Map<String, List<SvgPlot.Point>> used = new LinkedHashMap<>();
        for (CoreSweep.Point p : points) {
            String name = f("%s N=%d t=%d", p.op(), p.nodes(), p.threshold());
            ops.computeIfAbsent(name, k -> new ArrayList<>()).add(new SvgPlot.Point(p.cores(), p.opsPerSecond()));
            if (p.coresUsed() != null) used.computeIfAbsent(name, k -> new ArrayList<>()).add(new SvgPlot.Point(p.cores(), p.coresUsed()));
        }
        charts.add(new SvgPlot.Lines("Core scaling: throughput", "K (active processors)", "ops/s", allLines(ops)));
        if (!used.isEmpty()) charts.add(new SvgPlot.Lines("Core scaling: cores the cluster kept busy", "K (active processors)", "cores", allLines(used)));
        List<String> labels = points.stream().map(p -> f("%s N=%d K=%d", p.op(), p.nodes(), p.cores())).toList();
        charts.add(new SvgPlot.Bars("Latency percentiles per run", "ms", labels, List.of(
                new SvgPlot.Series("p50", points.stream().map(p -> (Double) p.p50Ms()).toList()),
                new SvgPlot.Series("p99", points.stream().map(p -> (Double) p.p99Ms()).toList()))));
        return new Plot("secretstore bench: core scaling", charts);
    }

    /** Lines with at least two distinct x values, points sorted by x. */
    private static List<SvgPlot.Line> lines(Map<String, List<SvgPlot.Point>> byName) {
        List<SvgPlot.Line> out = new ArrayList<>();
        byName.forEach((name, pts) -> {
            if (new TreeSet<>(pts.stream().map(SvgPlot.Point::x).toList()).size() >= 2) out.add(line(name, pts));
        });
        return out;
    }

    private static List<SvgPlot.Line> allLines(Map<String, List<SvgPlot.Point>> byName) {
        List<SvgPlot.Line> out = new ArrayList<>();
        byName.forEach((name, pts) -> out.add(line(name, pts)));
        return out;
    }

    private static SvgPlot.Line line(String name, List<SvgPlot.Point> pts) {
        List<SvgPlot.Point> sorted = new ArrayList<>(pts);
        sorted.sort((a, b) -> Double.compare(a.x(), b.x()));
        return new SvgPlot.Line(name, sorted);
    }

    static String label(RunResult r) {
        String s = f("%s N=%d t=%d", r.op(), r.nodes(), r.threshold());
        if (r.targetRate() > 0) s += f(" %.0f/s", r.targetRate());
        if (r.links() != null) s += " " + SvgPlot.tick(r.links().oneWayMs()) + " ms links";
        if (r.storedKeys() >= 100_000) s += f(" %,d keys", r.storedKeys());
        return s;
    }

    private static String heading(List<RunResult> runs) {
        TreeSet<String> targets = new TreeSet<>(runs.stream().map(RunResult::target).toList());
        return "secretstore bench: " + String.join("; ", targets);
    }

    static void write(Path file, Plot plot) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, SvgPlot.render(plot.heading(), plot.charts()), StandardCharsets.UTF_8);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
