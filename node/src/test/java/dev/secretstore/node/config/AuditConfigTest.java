package dev.secretstore.node.config;

import static dev.secretstore.node.config.ConfigLoaderTest.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.secretstore.node.audit.AuditTrail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-29: {@code audit_file}, {@code audit_checkpoint_lines}, {@code audit_checkpoint_interval} (docs/configuration.md). */
class AuditConfigTest {
    @TempDir
    Path dir;

    private Path write(String ext) throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, minimal("[secretstore_ext]\n" + ext), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void sec29_byDefaultTheAuditFileLivesInTheDataDirectory() throws Exception {
        NodeConfig c = ConfigLoader.load(write(""));
        assertThat(c.audit()).isEqualTo(new AuditTrail.Config(c.dataDir().resolve("audit.jsonl"), 1000, Duration.ofSeconds(60)));
    }

    @Test
    void sec29_theOptionsSetTheFileRelativeToTheConfigurationAndTheCheckpoints() throws Exception {
        NodeConfig c = ConfigLoader.load(write("audit_file = \"logs/audit.jsonl\"\naudit_checkpoint_lines = 10\naudit_checkpoint_interval = 5\n"));
        assertThat(c.audit().file()).isEqualTo(dir.resolve("logs/audit.jsonl").toAbsolutePath().normalize());
        assertThat(c.audit().checkpointLines()).isEqualTo(10);
        assertThat(c.audit().checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void sec29_badValuesNameTheOption() throws Exception {
        for (String bad : new String[] {"audit_checkpoint_lines = 0", "audit_checkpoint_interval = 0", "audit_file = \"\""}) {
            Path f = write(bad + "\n");
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.getMessage()).contains(bad.substring(0, bad.indexOf(' ')));
        }
    }
}
