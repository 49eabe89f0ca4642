package dev.secretstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16 in a real headless Chromium (Debian's {@code chromium}; run with {@code -Pbrowser}, docs/testing.md): a
 * three-node cluster, node 2 stopped, node 0's status page after its script ran. The DOM lists node 2 as down, the
 * plots hold polylines with one point per bucket, and a screenshot has the window's size, is not blank, and shows
 * the plot lines' and the down badge's colours. The page runs under its own Content-Security-Policy, so a script or
 * style it blocked would leave the page unrendered and fail these assertions.
 */
class StatusPageBrowserTest {
    /** The browser binary: {@code -Dchromium=PATH}, else {@code chromium} on the PATH. */
    private static final String CHROMIUM = System.getProperty("chromium", "chromium");
    private static StatusPageCluster cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startClusterWithTrafficAndAStoppedMember() throws Exception {
        cluster = new StatusPageCluster(dir.resolve("cluster"));
        cluster.traffic(20, 5);
        cluster.stop(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    /** Runs headless Chromium on {@code url} with {@code args}; its standard output. */
    private static String chromium(URI url, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        command.add(url.toString());
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s");
        }
        assertThat(p.exitValue()).as("chromium exit status").isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void theRenderedPageShowsTheStoppedMemberDownAndPlotsEveryBucket() throws Exception {
        String dom = chromium(cluster.status(0, "/status"), "--dump-dom");
        assertThat(dom).as("the script ran and rendered status.json").contains("<span id=\"status\" class=\"badge ok\">ok</span>")
                .doesNotContain("id=\"updated\">never<");
        assertThat(rows(dom, "member down")).singleElement().asString().contains("title=\"" + cluster.id(2) + "\"").contains(">down<");
        List<String> up = rows(dom, "member up");
        assertThat(up).hasSize(2);
        assertThat(String.join("", up)).contains("title=\"" + cluster.id(0) + "\"").contains(">this node<")
                .contains("title=\"" + cluster.id(1) + "\"").contains(">up<");
        for (String plot : List.of("rate-plot", "latency-plot")) {
            Matcher svg = Pattern.compile("<svg id=\"" + plot + "\"[^>]*>(.*?)</svg>", Pattern.DOTALL).matcher(dom);
            assertThat(svg.find()).as(plot).isTrue();
            Matcher lines = Pattern.compile("<polyline points=\"([^\"]*)\"").matcher(svg.group(1));
            int count = 0;
            while (lines.find()) {
                count++;
                assertThat(lines.group(1).split(" ")).as(plot).hasSize(StatusHistory.BUCKETS)
                        .allMatch(p -> p.matches("\\d+(\\.\\d)?,\\d+(\\.\\d)?"));
            }
            assertThat(count).as(plot + " polylines").isEqualTo(2);
        }
        assertThat(dom).contains("<td>cluster_info</td><td>200</td>").contains("<td>invalid</td><td>400</td>");
        // SEC-29: the first malformed request's audit line, rendered as text (the other four from the same source in the
        // same interval are counted into one "refusals" line, not request lines)
        assertThat(rows(dom, "audit failed")).singleElement().asString().contains("<td>entry</td><td>invalid</td>");
    }

    @Test
    void theScreenshotHasTheWindowSizeAndShowsThePlotsAndTheDownBadge() throws Exception {
        Path png = dir.resolve("status.png");
        chromium(cluster.status(0, "/status"), "--screenshot=" + png, "--window-size=1200,900", "--hide-scrollbars");
        Files.copy(png, Path.of("target", "status-page.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING); // for a look
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(900);
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        int rate = 0, down = 0, latency = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (near(rgb, 0x2a6fdb)) rate++;
                if (near(rgb, 0xc62828)) down++;
                if (near(rgb, 0x1f8a4c)) latency++;
            }
        }
        assertThat(colours.size()).as("not blank").isGreaterThan(20);
        // a 540 px wide plot line 2.5 px thick along the baseline is over 1000 pixels; a badge some 600
        assertThat(rate).as("rate line pixels").isGreaterThan(1000);
        assertThat(latency).as("mean latency line and up badges").isGreaterThan(1000);
        assertThat(down).as("down badge and error line").isGreaterThan(300);
    }

    private static boolean near(int rgb, int target) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xff) - ((target >> shift) & 0xff)) > 24) return false;
        }
        return true;
    }

    /** The {@code <tr class="…">} rows of that class. */
    private static List<String> rows(String dom, String cls) {
        Matcher m = Pattern.compile("<tr class=\"" + cls + "\">(.*?)</tr>", Pattern.DOTALL).matcher(dom);
        List<String> out = new ArrayList<>();
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
