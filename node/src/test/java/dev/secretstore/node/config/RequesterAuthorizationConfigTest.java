package dev.secretstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.node.runtime.NodeSettings;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SEC-32 options of {@code [secretstore_ext]}: {@code legacy_requester_signatures}, {@code cluster_id},
 * {@code authorization_max_lifetime}, {@code authorization_clock_skew}, {@code authorization_nonce_capacity}.
 */
class RequesterAuthorizationConfigTest {
    @TempDir
    Path dir;

    private NodeConfig load(String ext) throws Exception {
        return ConfigLoader.load(write(ext));
    }

    private Path write(String ext) throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, ConfigLoaderTest.minimal("") + "[secretstore_ext]\n" + ext, StandardCharsets.UTF_8);
        return f;
    }

    private ConfigException error(String ext) throws Exception {
        Path f = write(ext);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e;
    }

    private static PublicPoint point(String secretHex) {
        return KeyPair.fromSecretBytes(Hex.decode(secretHex)).publicKey();
    }

    @Test
    void defaultsAreParitysBehaviourWithTheClusterIdOfTheMembers() throws Exception {
        NodeConfig c = load("");
        assertThat(c.requesters()).isEqualTo(NodeConfig.RequesterAuthorization.DEFAULT);
        assertThat(c.requesters().legacy()).isEqualTo(LegacyPolicy.ALL);
        assertThat(c.requesters().maxLifetime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.requesters().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.requesters().nonceCapacity()).isEqualTo(200_000);
        // the nodes list includes this node: the id is the same whichever member's file it is computed from
        H256 members = ClusterId.ofMembers(List.of(point(ConfigLoaderTest.SECRET2), point(ConfigLoaderTest.SECRET)));
        assertThat(c.clusterId()).isEqualTo(members);
        assertThat(NodeSettings.from(c).requesters()).isEqualTo(c.requesters());
    }

    @ParameterizedTest
    @CsvSource({"all,ALL", "shadow-only,SHADOW_ONLY", "none,NONE"})
    void legacyPolicyIsRead(String value, LegacyPolicy expected) throws Exception {
        assertThat(load("legacy_requester_signatures = \"" + value + "\"\n").requesters().legacy()).isEqualTo(expected);
    }

    @Test
    void aNamedClusterIdIsDerivedFromTheName() throws Exception {
        NodeConfig c = load("cluster_id = \"production-eu\"\n");
        assertThat(c.requesters().clusterName()).contains("production-eu");
        assertThat(c.clusterId()).isEqualTo(ClusterId.ofName("production-eu"));
        RequesterCheck.Settings s = c.requesters().checkSettings(List.of(point(ConfigLoaderTest.SECRET)));
        assertThat(s.clusterId()).isEqualTo(ClusterId.ofName("production-eu"));
    }

    @Test
    void windowsAndCapacityAreConfigurable() throws Exception {
        NodeConfig c = load("authorization_max_lifetime = 60\nauthorization_clock_skew = 0\nauthorization_nonce_capacity = 1000\n"
                + "legacy_requester_signatures = \"shadow-only\"\n");
        assertThat(c.requesters()).isEqualTo(new NodeConfig.RequesterAuthorization(Optional.empty(), LegacyPolicy.SHADOW_ONLY,
                Duration.ofSeconds(60), Duration.ofSeconds(0), 1000));
        RequesterCheck.Settings s = c.requesters().checkSettings(List.of(point(ConfigLoaderTest.SECRET)));
        assertThat(s.maxLifetime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.clockSkew()).isZero();
        assertThat(s.legacy()).isEqualTo(LegacyPolicy.SHADOW_ONLY);
        assertThat(NodeSettings.from(c).requesters()).as("the node is built with them").isEqualTo(c.requesters());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "legacy_requester_signatures = \"shadow_only\"|legacy_requester_signatures|\"shadow_only\" is not valid; expected \"all\"",
            "legacy_requester_signatures = \"ALL\"|legacy_requester_signatures|is not valid",
            "legacy_requester_signatures = true|legacy_requester_signatures|expected a string, got a boolean",
            "cluster_id = \"\"|cluster_id|expected a name of 1 to 200 characters",
            "cluster_id = \"   \"|cluster_id|not blank",
            "cluster_id = \"a\\u0001b\"|cluster_id|without control characters",
            "cluster_id = 7|cluster_id|expected a string, got an integer",
            "authorization_max_lifetime = 0|authorization_max_lifetime|out of range; expected seconds from 1 to 86400",
            "authorization_max_lifetime = 86401|authorization_max_lifetime|out of range",
            "authorization_max_lifetime = \"300\"|authorization_max_lifetime|got a string",
            "authorization_clock_skew = -1|authorization_clock_skew|out of range; expected seconds from 0 to 3600",
            "authorization_clock_skew = 3601|authorization_clock_skew|out of range",
            "authorization_nonce_capacity = 0|authorization_nonce_capacity|out of range; expected a number of nonces from 1 to 10000000",
            "authorization_nonce_capacity = 10000001|authorization_nonce_capacity|out of range",
    })
    void invalidValuesNameTheOption(String line, String option, String problem) throws Exception {
        ConfigException e = error(line + "\n");
        assertThat(e.getMessage()).contains(option).contains(problem);
    }

    @Test
    void aLongNameIsRefusedWithoutEchoingIt() throws Exception {
        String name = "ab".repeat(101);
        ConfigException e = error("cluster_id = \"" + name + "\"\n");
        assertThat(e.getMessage()).contains("cluster_id").doesNotContain(name);
    }

    @Test
    void theOptionsBelongToTheExtSection() throws Exception {
        Path f = dir.resolve("node.toml");
        Files.writeString(f, ConfigLoaderTest.minimal("legacy_requester_signatures = \"none\"\n"), StandardCharsets.UTF_8);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e.getMessage()).contains("legacy_requester_signatures").contains("it belongs in [secretstore_ext]");
    }
}
