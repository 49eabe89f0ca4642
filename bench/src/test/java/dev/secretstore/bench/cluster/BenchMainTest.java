package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Argument parsing and the plan of runs (nothing is started). */
class BenchMainTest {
    private static BenchMain parse(String... args) {
        BenchMain m = new BenchMain(System.out, System.err);
        new CommandLine(m).parseArgs(args);
        return m;
    }

    private static List<BenchMain.Plan> plan(String... args) {
        return parse(args).plan();
    }

    @Test
    void defaultsAreThreeNodesThresholdOneClosedLoop() {
        BenchMain m = parse("--op", "shadow");
        assertThat(m.plan()).containsExactly(new BenchMain.Plan(Operation.SHADOW, 3, 1));
        assertThat(m.concurrency).isEqualTo(8);
        assertThat(m.rate).isZero();
        assertThat(m.duration).isEqualTo(10);
        assertThat(m.warmup).isEqualTo(10);
        assertThat(m.documentKeyCount()).isEqualTo(1000);
        assertThat(m.storeKeyCount()).isEqualTo(200 * 50);
    }

    @Test
    void scalingUsesTheMajorityThresholdPerN() {
        assertThat(plan("--op", "generate,shadow", "--nodes", "3,5,7,10,16")).containsExactly(
                new BenchMain.Plan(Operation.GENERATE, 3, 1), new BenchMain.Plan(Operation.SHADOW, 3, 1),
                new BenchMain.Plan(Operation.GENERATE, 5, 2), new BenchMain.Plan(Operation.SHADOW, 5, 2),
                new BenchMain.Plan(Operation.GENERATE, 7, 3), new BenchMain.Plan(Operation.SHADOW, 7, 3),
                new BenchMain.Plan(Operation.GENERATE, 10, 4), new BenchMain.Plan(Operation.SHADOW, 10, 4),
                new BenchMain.Plan(Operation.GENERATE, 16, 7), new BenchMain.Plan(Operation.SHADOW, 16, 7));
    }

    @Test
    void explicitValuesAndRepeatedOptions() {
        BenchMain m = parse("--op", "schnorr", "--op", "ECDSA", "--op", "schnorr", "--nodes", "5", "--threshold", "2", "--concurrency", "64",
                "--rate", "500", "--duration", "30", "--warmup", "2.5", "--keys", "1000000", "--store-keys", "7");
        assertThat(m.plan()).containsExactly(new BenchMain.Plan(Operation.SCHNORR, 5, 2), new BenchMain.Plan(Operation.ECDSA, 5, 2));
        assertThat(m.concurrency).isEqualTo(64);
        assertThat(m.rate).isEqualTo(500);
        assertThat(m.warmup).isEqualTo(2.5);
        assertThat(m.documentKeyCount()).isEqualTo(1_000_000);
        assertThat(m.storeKeyCount()).isEqualTo(7);
    }

    @Test
    void urlsGiveTheClusterSize() {
        BenchMain m = parse("--op", "retrieve", "--url", "http://10.0.0.1:8082,http://10.0.0.2:8082", "--url", "http://10.0.0.3:8082");
        assertThat(m.remote()).isTrue();
        assertThat(m.plan()).containsExactly(new BenchMain.Plan(Operation.RETRIEVE, 3, 1));
        assertThat(m.documentKeyCount()).isEqualTo(20);
        assertThat(m.storeKeyCount()).isEqualTo(100);
    }

    @Test
    void impossibleRunsAreRefusedWithExitCode2() {
        assertThat(run("--op", "ecdsa", "--nodes", "3", "--threshold", "0").code).isEqualTo(2);
        Result r = run("--op", "ecdsa", "--nodes", "4", "--threshold", "2");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("2t+1 ≤ N");
        assertThat(run("--op", "fly").err).contains("unknown operation 'fly'");
        assertThat(run("--op", "shadow", "--concurrency", "0").code).isEqualTo(2);
        assertThat(run("--op", "shadow", "--nodes", "3,5", "--url", "http://127.0.0.1:1").code).isEqualTo(2);
    }

    @Test
    void idleConnectionsRunAloneWithTheBaselineFirst() {
        BenchMain m = parse("--idle-connections", "1000,100", "--idle-connections", "250");
        assertThat(m.idleLevels()).containsExactly(0, 100, 250, 1000);
        assertThat(m.idlePerAddress).isEqualTo(50);
        assertThat(run("--idle-connections", "100", "--op", "shadow").err).contains("--idle-connections runs alone");
        assertThat(run("--idle-connections", "-1").code).isEqualTo(2);
        assertThat(run("--idle-connections", "100", "--idle-per-address", "0").code).isEqualTo(2);
        assertThat(run("--idle-connections", "20000", "--idle-per-address", "10").err).contains("raise --idle-per-address");
        assertThat(run("--idle-connections", "10", "--url", "http://127.0.0.1:1,http://127.0.0.1:2").err).contains("one --url");
        assertThat(parse("--idle-connections", "4000", "--idle-max-connections", "5000").idleLevels()).containsExactly(0, 4000);
        assertThat(run("--idle-connections", "10", "--idle-max-connections", "0").code).isEqualTo(2);
        assertThat(run("--idle-connections", "10", "--idle-max-connections", "100", "--url", "http://127.0.0.1:1").err)
                .contains("not with --url");
    }

    @Test
    void helpNamesEveryOption() {
        Result r = run("--help");
        assertThat(r.code).isZero();
        assertThat(r.out).contains("--op=OP", "--nodes=N", "--threshold=T", "--concurrency=C", "--duration=S", "--json=FILE", "--url=URL",
                "--rate=R", "--keys=K", "--data-dir=DIR", "--jfr=FILE", "--floor", "--idle-connections=N", "--idle-per-address=K");
        Result none = run(); // --op is required without --idle-connections
        assertThat(none.code).isEqualTo(2);
        assertThat(none.err).contains("--op is required");
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
