package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.audit.AuditTrail;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-29: {@code secretstore audit verify FILE [--node-id HEX]}. */
class AuditCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final KeyPair nodeKey = KeyPair.fromSecretBytes(H256.keccak("audit-cli".getBytes()).toBytes());

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), new MainTest.Fake(null, null));
    }

    /** Header, two checkpoints: three chained lines. */
    private Path file() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditTrail trail = AuditTrail.open(new AuditTrail.Config(file, 10, Duration.ofSeconds(60)), nodeKey)) {
            trail.checkpoint();
            trail.checkpoint();
        }
        return file;
    }

    @Test
    void sec29_aGoodFileIsSummarisedWithExitZero() throws Exception {
        Path file = file();
        assertThat(run("audit", "verify", file.toString(), "--node-id", "0x" + nodeKey.publicKey().toHex())).isEqualTo(0);
        assertThat(out.toString()).contains(": OK", "lines       3", "checkpoints 2", "first time  ", "last time   ",
                "node        0x" + nodeKey.publicKey().toHex());
    }

    @Test
    void sec29_aTamperedLineIsNamedWithExitOne() throws Exception {
        Path file = file();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("\"type\":\"checkpoint\"", "\"type\":\"checkpoinT\""));
        Files.write(file, lines, StandardCharsets.UTF_8);
        assertThat(run("audit", "verify", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("line 2: its content does not match its hash");
        assertThat(out.toString()).doesNotContain("OK");
    }

    @Test
    void sec29_anotherNodesFileFailsWithItsOwnerNamed() throws Exception {
        Path file = file();
        String other = KeyPair.random().publicKey().toHex();
        assertThat(run("audit", "verify", file.toString(), "--node-id", other)).isEqualTo(1);
        assertThat(err.toString()).contains("line 1: the file belongs to node " + nodeKey.publicKey().toHex());
        assertThat(run("audit", "verify", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(run("audit", "verify", file.toString(), "--node-id", "zz")).isEqualTo(2);
    }
}
