package dev.secretstore.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as an operator meets it (profile dist, docs/testing.md): unpacked with tar into a
 * temporary directory, its bin/secretstore runs the commands and starts key servers from the unpacked
 * layout alone (no build tree), with init-cluster's configuration and with the shipped example
 * configuration; the systemd unit passes {@code systemd-analyze verify}.
 */
class ReleaseArchiveIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path home;
    static String version;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("secretstore.archive", "target/secretstore.tar.gz"));
        version = System.getProperty("secretstore.version", "");
        assertThat(archive).as("the archive built by the package phase of profile dist").isRegularFile();
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Result untar = run(List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString()), tmp, Map.of());
        assertThat(untar.exit()).as("tar: %s", untar.output()).isZero();
        home = unpacked.resolve("secretstore-" + version);
    }

    @Test
    void archiveHasTheDocumentedLayout() throws IOException {
        try (Stream<Path> top = Files.list(home.getParent())) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .as("one top-level directory, named by the version")
                    .containsExactly("secretstore-" + version);
        }
        for (String file : List.of("bin/secretstore", "lib/secretstore.jar", "lib/secretstore-server.jar",
                "config/node.toml", "config/acl-policy.toml", "systemd/secretstore.service", "INSTALL.md",
                "README.md", "docs/operations.md", "docs/configuration.md")) {
            assertThat(home.resolve(file)).as(file).isRegularFile();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("bin/secretstore"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("config/node.toml"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void launcherPrintsTheVersionFromAnyDirectoryAndThroughASymlink() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/bin"));
        Path link = Files.createSymbolicLink(elsewhere.resolve("secretstore"), home.resolve("bin/secretstore"));

        Result direct = run(List.of(home.resolve("bin/secretstore").toString(), "--version"), tmp, Map.of());
        Result viaLink = run(List.of(link.toString(), "--version"), elsewhere, Map.of());

        assertThat(direct.exit()).as(direct.output()).isZero();
        assertThat(direct.output()).contains(version);
        assertThat(viaLink.exit()).as(viaLink.output()).isZero();
        assertThat(viaLink.output()).contains(version);
    }

    @Test
    void launcherRefusesAJavaOlderThan17() throws Exception {
        Path fakeJdk = Files.createDirectories(tmp.resolve("old-jdk/bin"));
        Path java = fakeJdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\nexit 0\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result r = run(List.of(home.resolve("bin/secretstore").toString(), "--version"), tmp,
                Map.of("JAVA_HOME", fakeJdk.getParent().toString()));

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("Java 17 or later is needed");
    }

    @Test
    void nodeStartsFromTheUnpackedArchiveWithAnInitClusterConfiguration() throws Exception {
        int[] ports = freePorts(3);
        Path cluster = tmp.resolve("cluster");
        Result init = run(List.of(home.resolve("bin/secretstore").toString(), "init-cluster", "--nodes", "1",
                "--dir", cluster.toString(), "--base-port", "" + ports[0], "--http-base-port", "" + ports[1],
                "--ops-base-port", "" + ports[2]), tmp, Map.of());
        assertThat(init.exit()).as(init.output()).isZero();

        JsonNode health = startNodeAndReadHealth(cluster.resolve("node-0.toml"), ports[2], tmp.resolve("init-node.log"));

        assertThat(health.path("members").asInt()).isEqualTo(1);
        assertThat(health.path("version").asText()).isEqualTo(version);
    }

    @Test
    void nodeStartsWithTheShippedExampleConfiguration() throws Exception {
        // The example as shipped, with only its /etc and /var/lib paths and its ports moved into the
        // test's directory (the machine's 8082/8083/8182 may be taken); a key from init-cluster.
        Path keys = tmp.resolve("keys");
        Result init = run(List.of(home.resolve("bin/secretstore").toString(), "init-cluster", "--nodes", "1",
                "--dir", keys.toString()), tmp, Map.of());
        assertThat(init.exit()).as(init.output()).isZero();
        Path etc = Files.createDirectories(tmp.resolve("etc/secretstore"));
        Path state = Files.createDirectories(tmp.resolve("var/lib/secretstore"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.copy(keys.resolve("node-0.key"), etc.resolve("node.key"));
        Files.setPosixFilePermissions(etc.resolve("node.key"), PosixFilePermissions.fromString("rw-------"));
        Files.copy(home.resolve("config/acl-policy.toml"), etc.resolve("acl-policy.toml"));
        int[] ports = freePorts(3);
        String example = Files.readString(home.resolve("config/node.toml"));
        assertThat(example).as("the example keeps its data in the unit's StateDirectory")
                .contains("path = \"/var/lib/secretstore/db\"");
        String config = replaceOption(replaceOption(replaceOption(example, "port", ports[0]), "http_port", ports[1]),
                "ops_port", ports[2]).replace("/var/lib/secretstore", state.toString());
        Files.writeString(etc.resolve("node.toml"), config);

        JsonNode health = startNodeAndReadHealth(etc.resolve("node.toml"), ports[2], tmp.resolve("example-node.log"));

        assertThat(health.path("members").asInt()).isEqualTo(1);
        assertThat(health.path("storage").asText()).isEqualTo("ok");
        assertThat(state.resolve("db")).as("the data directory the example names").isDirectory();
    }

    @Test
    void systemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        // systemd-analyze checks that ExecStart's program exists: the unit is checked with /opt/secretstore
        // replaced by the unpacked directory. It prints unknown or malformed options and exits 0, so the
        // output must not mention the unit either.
        boolean available = run(List.of("sh", "-c", "command -v systemd-analyze"), tmp, Map.of()).exit() == 0;
        if (!available && Boolean.getBoolean("dist.noSystemdAnalyze")) {
            return; // explicitly waived on a machine without systemd (docs/testing.md)
        }
        assertThat(available).as("systemd-analyze on the PATH (or -Ddist.noSystemdAnalyze=true)").isTrue();
        String unit = Files.readString(home.resolve("systemd/secretstore.service"));
        assertThat(unit).contains("ExecStart=/opt/secretstore/bin/secretstore node --config /etc/secretstore/node.toml");
        assertThat(unit).doesNotContainPattern("(?m)^MemoryDenyWriteExecute");
        Path dir = Files.createDirectories(tmp.resolve("unit"));
        Path copy = dir.resolve("secretstore.service");
        Files.writeString(copy, unit.replace("/opt/secretstore", home.toString()));

        Result verify = run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()), dir, Map.of());

        assertThat(verify.exit()).as(verify.output()).isZero();
        assertThat(verify.output()).doesNotContain("secretstore.service");
    }

    /** Starts bin/secretstore node, waits for a well-formed /health answer on the ops port, stops it with SIGTERM. */
    private static JsonNode startNodeAndReadHealth(Path config, int opsPort, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/secretstore").toString(), "node", "--config", config.toString())
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Process node = pb.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health"))
                    .timeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (true) {
                if (!node.isAlive()) fail("the node exited with %d:%n%s", node.exitValue(), Files.readString(log));
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    // A single member can serve (200); 503 is a node that is up but cannot: both carry the JSON.
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
                    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
                    JsonNode body = JSON.readTree(r.body());
                    assertThat(body.path("status").isTextual()).as(r.body()).isTrue();
                    return body;
                } catch (ConnectException | java.net.http.HttpTimeoutException e) {
                    if (System.nanoTime() > deadline) fail("no /health on port %d within %s:%n%s", opsPort, START_TIMEOUT, Files.readString(log));
                    Thread.sleep(250);
                }
            }
        } finally {
            node.destroy(); // SIGTERM: the launcher exec'd the JVM, so this reaches the node
            boolean ended = node.waitFor(30, TimeUnit.SECONDS);
            if (!ended) node.destroyForcibly().waitFor();
            assertThat(ended).as("the node ends on SIGTERM:%n%s", Files.readString(log)).isTrue();
        }
    }

    private static String replaceOption(String toml, String option, int value) {
        Matcher m = Pattern.compile("(?m)^" + option + " = \\d+$").matcher(toml);
        assertThat(m.find()).as("the example sets %s", option).isTrue();
        return m.replaceFirst(option + " = " + value);
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) sockets.add(new ServerSocket(0));
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("%s did not end", command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
