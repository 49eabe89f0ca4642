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

/**
 * The key server's own jar (node/target/secretstore-server.jar), run in its own JVM as an operator
 * would: it starts {@code node} and carries no development, client, JSON-RPC or signing tooling
 * (docs/architecture.md, "Modules").
 */
class ServerJarIT {
    static final Path JAR = Path.of(System.getProperty("secretstore.server.jar", "target/secretstore-server.jar"));
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
    void runsTheNodeCommandOnly() throws Exception {
        Result v = run("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("secretstore ").doesNotContain("development build");

        Files.writeString(dir.resolve("node.toml"), "[secretstore]\nnot_an_option = 1\n");
        Result bad = run("node", "--config", dir.resolve("node.toml").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("[secretstore] not_an_option: unknown option");

        Result dev = run("dev");
        assertThat(dev.code()).isEqualTo(2);
        assertThat(dev.err()).contains("Unmatched argument");
    }

    @Test
    void carriesNoToolingAndNoTestCode() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/secretstore/node/cli/Main.class", "dev/secretstore/node/runtime/DefaultNodeRunner.class",
                    "picocli/CommandLine.class");
            assertThat(names).as("dev cluster, anvil, transaction signing, client and JSON-RPC code")
                    .noneMatch(n -> n.startsWith("dev/secretstore/cli/") || n.startsWith("dev/secretstore/rpc/")
                            || n.startsWith("dev/secretstore/client/"));
            // a node key given as a Parity account address is read from its keystore file
            assertThat(names).contains("dev/secretstore/keystore/KeystoreFile.class");
            assertThat(names).noneMatch(n -> n.startsWith("dev/secretstore/")
                    && (n.matches(".*Test(\\$.*)?\\.class") || n.matches(".*IT(\\$.*)?\\.class")));
            assertThat(names).noneMatch(n -> n.startsWith("org/junit/") || n.startsWith("org/assertj/"));
            assertThat(names).doesNotContain("contracts/SecretStoreAcl.json",
                    "META-INF/services/dev.secretstore.cli.DevClusterRunner");
        }
    }
}
