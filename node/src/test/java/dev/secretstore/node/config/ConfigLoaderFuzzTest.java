package dev.secretstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration loader under arbitrary TOML (issue #17). The input is the file's bytes, decoded as
 * {@link ConfigLoader#load} does (invalid UTF-8 is refused there before parsing), parsed as a file in an empty
 * temporary directory. Oracle: a {@link NodeConfig} or a {@link ConfigException}, whose message never holds the
 * corpus's node secret (SEC-09: a secret is never logged); any other exception is a finding. Corpus
 * {@code ConfigLoaderFuzzTestInputs/}: a full Parity-style file, the minimal one and edge cases.
 */
class ConfigLoaderFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("config-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void parse(byte[] input) {
        String toml;
        try {
            toml = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(input)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return; // load refuses it with a ConfigException before parsing
        }
        try {
            NodeConfig c = ConfigLoader.parse(toml, DIR.resolve("node.toml"));
            assertThat(c.self()).isNotNull();
            assertThat(c.nodes()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContainIgnoringCase(ConfigLoaderTest.SECRET);
        }
    }
}
