package dev.secretstore.cli.eth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.Keccak256;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** The committed contract artifact matches the committed source, checked without Node. */
class ContractArtifactTest {
    private static final Path SOURCE = Path.of("..", "contracts", "SecretStoreAcl.sol");
    private static final Path ARTIFACT = Path.of("..", "contracts", "SecretStoreAcl.json");

    @Test
    void artifactRecordsTheHashOfTheCommittedSource() throws Exception {
        byte[] source = Files.readAllBytes(SOURCE);
        String actual = Hex.encode(MessageDigest.getInstance("SHA-256").digest(source));
        JsonNode artifact = new ObjectMapper().readTree(ARTIFACT.toFile());
        assertThat(artifact.path("sourceSha256").asText())
                .as("contracts/SecretStoreAcl.json is stale: run contracts/build.sh and commit the artifact")
                .isEqualTo(actual);
    }

    @Test
    void artifactHasBytecodeAndThePublicInterface() throws Exception {
        JsonNode artifact;
        try (InputStream in = ContractArtifactTest.class.getResourceAsStream("/contracts/SecretStoreAcl.json")) {
            assertThat(in).as("artifact packaged as a resource").isNotNull();
            artifact = new ObjectMapper().readTree(in);
        }
        assertThat(artifact.path("bytecode").asText()).startsWith("0x6080");
        assertThat(artifact.path("solcVersion").asText()).startsWith("0.8.");
        StringBuilder names = new StringBuilder();
        for (JsonNode e : artifact.path("abi")) names.append(e.path("type").asText()).append(':').append(e.path("name").asText()).append(' ');
        assertThat(names.toString()).contains("function:checkPermissions", "function:grantPermission",
                "function:revokePermission", "function:owner", "event:PermissionGranted", "event:PermissionRevoked",
                "function:setKeyCreator", "function:canCreateKeys", "event:KeyCreatorSet"); // SEC-35
        assertThat(Hex.encode(Keccak256.selector("checkPermissions(address,bytes32)"))).isEqualTo("b36a9a7c");
        assertThat(Hex.encode(Keccak256.selector("canCreateKeys(address)"))).isEqualTo("bbba429a");
    }
}
