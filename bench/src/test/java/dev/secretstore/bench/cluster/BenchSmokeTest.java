package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second of load on a real in-process 3-node cluster: the bench runs end to end and the answers are
 * right. No figure is asserted beyond "some operations, no errors": timing belongs to the bench itself.
 */
class BenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void generationAndShadowRetrievalRunWithoutErrors() throws Exception {
        Path json = dir.resolve("smoke.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new String[] {"--op", "generate,shadow", "--warmup", "2", "--duration", "3", "--concurrency", "2",
                "--keys", "20", "--price-time", "0.02", "--checks", "2", "--log", "off", "--json", json.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("%s%n%s", text, err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode runs = new ObjectMapper().readTree(json.toFile()).get("runs");
        assertThat(runs).hasSize(2);
        for (JsonNode run : runs) {
            assertThat(run.get("ops").asLong()).as(run.toString()).isPositive();
            assertThat(run.get("errors").asLong()).as(run.toString()).isZero();
            assertThat(run.get("fully_checked").asLong()).as(run.toString()).isPositive();
            assertThat(run.get("cluster_cpu_ms_per_op").asDouble()).isPositive();
        }
        assertThat(text).contains("server-key generation, N = 3, t = 1", "shadow retrieval, N = 3, t = 1");
    }

    /**
     * WAN mode: the member links run through the delaying proxies, which see the cluster's messages, and a shadow
     * retrieval at t = 1 needs another member's partial, so it takes at least one member round trip (a lower
     * bound of 2 × 20 ms, not a speed).
     */
    @Test
    void wanModeCountsMessagesAndAtLeastOneRoundTrip() throws Exception {
        Path json = dir.resolve("wan.json");
        Path svg = dir.resolve("wan.svg");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new String[] {"--op", "shadow", "--link-delay-ms", "20", "--warmup", "2", "--duration", "3", "--concurrency", "2",
                "--keys", "20", "--price-time", "0.02", "--checks", "2", "--log", "off", "--json", json.toString(), "--plot", svg.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("%s%n%s", text, err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode run = new ObjectMapper().readTree(json.toFile()).get("runs").get(0);
        assertThat(run.get("errors").asLong()).as(run.toString()).isZero();
        JsonNode links = run.get("links");
        assertThat(links.get("one_way_ms").asDouble()).isEqualTo(20.0);
        assertThat(links.get("messages_per_op").asDouble()).as(links.toString()).isGreaterThanOrEqualTo(2.0);
        assertThat(links.get("round_trips_p50").asDouble()).as(links.toString()).isGreaterThanOrEqualTo(1.0);
        assertThat(run.get("p50_ms").asDouble()).isGreaterThanOrEqualTo(40.0);
        assertThat(text).contains("member links delayed 20 ms each way", "| p50 / 2D |");
        assertThat(java.nio.file.Files.readString(svg)).contains("Cluster messages per operation");
    }
}
