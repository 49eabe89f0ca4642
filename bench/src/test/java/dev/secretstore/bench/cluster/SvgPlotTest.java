package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** {@code --plot}: the SVG is well-formed XML (parsed here) and holds the charts and series the runs call for. */
class SvgPlotTest {
    @TempDir
    Path dir;

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> xpath(Document d, String expr) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(expr, d, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add(nodes.item(i).getNodeValue());
        return out;
    }

    private static PrimitiveCosts.Prices prices() {
        Map<Primitive, Double> each = new java.util.EnumMap<>(Primitive.class);
        for (Primitive p : Primitive.values()) each.put(p, 10.0);
        return new PrimitiveCosts.Prices(each, each, each);
    }

    private static RunResult run(Operation op, int n, int t, double opsPerSecond, double p50) {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 100; i++) h.record((long) (p50 * 1000 * (0.5 + i / 100.0)));
        Map<String, Long> groups = new LinkedHashMap<>();
        groups.put(CpuAccounting.LOOP, 2_000_000_000L);
        CpuAccounting.Window cpu = new CpuAccounting.Window(3_000_000_000L, groups, 0, 0, 0, 1_000_000_000L);
        long ops = Math.round(opsPerSecond);
        LoadRunner.Result r = new LoadRunner.Result(h, ops, 0, Map.of(), cpu, 1.0, 1.0, 0, 0, 1, false, 0);
        LoadRunner.Config config = new LoadRunner.Config(8, 0, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(1), 1, "x", 1000);
        return RunResult.of(op, "in-process cluster", n, t, config, 1000, r, true, Floor.totals(Floor.lines(op, n, t)),
                prices(), "1", "1", null, null);
    }

    @Test
    void anNSweepDrawsThroughputLatencyAndTheScalingCurvePerOperation() throws Exception {
        List<RunResult> runs = List.of(run(Operation.SHADOW, 3, 1, 500, 15), run(Operation.SHADOW, 5, 2, 300, 25),
                run(Operation.GENERATE, 3, 1, 150, 50), run(Operation.GENERATE, 5, 2, 70, 100));
        Path file = dir.resolve("plots/scaling.svg");
        Plots.write(file, Plots.forRuns(runs));
        Document d = parse(Files.readString(file));
        assertThat(d.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(d.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(xpath(d, "//*[local-name()='g'][@class='chart']/@data-title")).containsExactly("Throughput per run",
                "Latency percentiles per run", "N-scaling: throughput", "N-scaling: cluster CPU per operation");
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='Latency percentiles per run']/*[local-name()='g'][@class='series']/@data-series"))
                .containsExactly("p50", "p95", "p99");
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='N-scaling: throughput']/*[local-name()='g'][@class='series']/@data-series"))
                .containsExactly("shadow retrieval", "server-key generation");
        // one bar per run in the throughput chart, one point per N on each scaling line
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='Throughput per run']//*[local-name()='rect']/*[local-name()='title']/text()"))
                .containsExactly("shadow N=3 t=1: 500", "shadow N=5 t=2: 300", "generate N=3 t=1: 150", "generate N=5 t=2: 70");
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='N-scaling: throughput']/*[local-name()='g'][@data-series='shadow retrieval']/*[local-name()='circle']/*[local-name()='title']/text()"))
                .containsExactly("shadow retrieval at 3: 500", "shadow retrieval at 5: 300");
    }

    @Test
    void wanRunsAddRoundTripsAndMessagesAndOneNNeedsNoScalingCurve() throws Exception {
        RunResult wan = run(Operation.SHADOW, 3, 1, 40, 210).withLinks(50, 230, 4_000);
        Document d = parse(SvgPlot.render("WAN", Plots.forRuns(List.of(wan)).charts()));
        List<String> charts = xpath(d, "//*[local-name()='g'][@class='chart']/@data-title");
        assertThat(charts).contains("Latency in member round trips (latency / 2 × one-way delay)", "Cluster messages per operation (all members)")
                .doesNotContain("N-scaling: throughput");
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='Cluster messages per operation (all members)']//*[local-name()='rect']"
                + "/*[local-name()='title']/text()")).containsExactly("shadow N=3 t=1 50 ms links: 100");
    }

    @Test
    void aCoreSweepDrawsThroughputAndCoresUsedAgainstK() throws Exception {
        List<CoreSweep.Point> points = List.of(new CoreSweep.Point(1, true, 1, "shadow", 1, 0, 600, 12, 30, 0.98, 1.6),
                new CoreSweep.Point(2, true, 2, "shadow", 1, 0, 1000, 8, 20, 1.8, 1.7));
        Document d = parse(SvgPlot.render("cores", Plots.forCores(points).charts()));
        assertThat(xpath(d, "//*[local-name()='g'][@class='chart']/@data-title")).containsExactly("Core scaling: throughput",
                "Core scaling: cores the cluster kept busy", "Latency percentiles per run");
        assertThat(xpath(d, "//*[local-name()='g'][@data-title='Core scaling: cores the cluster kept busy']//*[local-name()='circle']"
                + "/*[local-name()='title']/text()")).containsExactly("shadow N=1 t=0 at 1: 0.98", "shadow N=1 t=0 at 2: 1.80");
    }

    @Test
    void textIsEscapedAndAxesEndOnRoundNumbers() throws Exception {
        String svg = SvgPlot.render("a <b> & \"c\" 'd'", List.of(new SvgPlot.Bars("x&y", "ms", List.of("<1>", "2\u0001"),
                List.of(new SvgPlot.Series("s\"", java.util.Arrays.asList(3.0, null))))));
        Document d = parse(svg);
        assertThat(xpath(d, "//*[local-name()='text']/text()")).contains("a <b> & \"c\" 'd'", "<1>", "2?");
        assertThat(xpath(d, "//*[local-name()='g'][@class='series']/@data-series")).containsExactly("s\"");
        assertThat(SvgPlot.niceMax(0.0)).isEqualTo(1.0);
        assertThat(SvgPlot.niceMax(7.0)).isEqualTo(10.0);
        assertThat(SvgPlot.niceMax(1001.0)).isEqualTo(2000.0);
        assertThat(SvgPlot.niceMax(230.0)).isEqualTo(250.0);
        assertThat(SvgPlot.niceMax(500.0)).isEqualTo(500.0);
    }
}
