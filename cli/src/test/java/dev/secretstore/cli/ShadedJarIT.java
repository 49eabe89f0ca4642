package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs cli/target/secretstore.jar in its own JVM, as ./secretstore does. */
class ShadedJarIT {
    static final Path JAR = Path.of(System.getProperty("secretstore.jar", "target/secretstore.jar"));
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void runsFromTheJarWithItsManifestAndDependencies() throws Exception {
        Result v = run("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("secretstore ").doesNotContain("development build");

        int base = dev.secretstore.cli.dev.TestPorts.base();
        Result init = run("init-cluster", "--nodes", "1", "--dir", dir.toString(), "--base-port", String.valueOf(base),
                "--http-base-port", String.valueOf(base + 1), "--ops-base-port", String.valueOf(base + 2));
        assertThat(init.code()).as(init.err()).isZero();
        // The real node starts from the jar, answers HTTP, and stops on SIGTERM.
        Process node = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "node", "--config", dir.resolve("node-0.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + (base + 1) + "/server/" + "00".repeat(32) + "/"
                    + dev.secretstore.crypto.Hex.encode(dev.secretstore.crypto.Ecdsa.sign(dev.secretstore.crypto.SecretScalar.random(),
                            dev.secretstore.crypto.H256.fromBytes(new byte[32])).toBytes()));
            java.net.http.HttpResponse<String> answer = null;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (answer == null && System.nanoTime() - deadline < 0 && node.isAlive()) {
                try {
                    answer = client.send(java.net.http.HttpRequest.newBuilder(uri).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(answer).as(Files.readString(dir.resolve("node.log"))).isNotNull();
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.body()).isEqualTo("\"\\\"Server key with this ID is not found\\\"\"");
        } finally {
            node.destroy();
            assertThat(node.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }

        Files.writeString(dir.resolve("node-0.toml"), "[secretstore]\nnot_an_option = 1\n");
        Result bad = run("node", "--config", dir.resolve("node-0.toml").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("[secretstore] not_an_option: unknown option");
    }

    @Test
    void containsNoTestCode() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/secretstore/cli/Main.class", "dev/secretstore/node/cli/Main.class", "picocli/CommandLine.class");
            assertThat(names).noneMatch(n -> n.startsWith("dev/secretstore/")
                    && (n.matches(".*Test(\\$.*)?\\.class") || n.matches(".*IT(\\$.*)?\\.class")));
            assertThat(names).noneMatch(n -> n.startsWith("org/junit/") || n.startsWith("org/assertj/"));
        }
    }
}
