package dev.secretstore.node.cli;

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

/** Runs node/target/secretstore.jar in its own JVM, as ./secretstore does. */
class ShadedJarIT {
    static final Path JAR = Path.of(System.getProperty("secretstore.jar", "target/secretstore.jar"));

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
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

        Result init = run("init-cluster", "--nodes", "2", "--dir", dir.toString());
        assertThat(init.code()).as(init.err()).isZero();
        Result node = run("node", "--config", dir.resolve("node-0.toml").toString());
        assertThat(node.code()).isEqualTo(3);
        assertThat(node.err()).contains("the node runtime is not assembled in this build yet");

        Files.writeString(dir.resolve("node-0.toml"), "[secretstore]\nnot_an_option = 1\n");
        Result bad = run("node", "--config", dir.resolve("node-0.toml").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("[secretstore] not_an_option: unknown option");
    }

    @Test
    void containsNoTestCode() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/secretstore/node/cli/Main.class", "picocli/CommandLine.class");
            assertThat(names).noneMatch(n -> n.startsWith("dev/secretstore/")
                    && (n.matches(".*Test(\\$.*)?\\.class") || n.matches(".*IT(\\$.*)?\\.class")));
            assertThat(names).noneMatch(n -> n.startsWith("org/junit/") || n.startsWith("org/assertj/"));
        }
    }
}
