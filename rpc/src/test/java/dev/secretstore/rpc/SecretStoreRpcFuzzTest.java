package dev.secretstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The JSON-RPC service under arbitrary request bodies (issue #17; jsonrpc.md §5). The keystore holds the A.4
 * account ({@code a4-pw}) under cheap scrypt parameters, so corpus calls with its password reach every method's
 * parameter decoding and cryptography. Oracle: {@link SecretStoreRpc#handle} returns nothing (notifications) or a
 * JSON response whose errors are all documented ones: never -32603 "Internal error", which the service answers
 * only when an unexpected exception escaped a method; the response never contains the password. Any exception
 * out of {@code handle} is a finding. Corpus {@code SecretStoreRpcFuzzTestInputs/}: one valid call per method and
 * the error cases of jsonrpc.md §5.
 */
class SecretStoreRpcFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Keystore KEYSTORE;

    static {
        try {
            Path dir = Files.createTempDirectory("rpc-fuzz");
            KEYSTORE = new Keystore(dir);
            KEYSTORE.store(KeyPair.fromSecretBytes(Hex.decode(SecretStoreRpcTest.A4_SECRET)), "a4-pw", new KeystoreFile.ScryptParams(16, 1, 1));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest
    void handle(byte[] input) throws Exception {
        SecretStoreRpc rpc = new SecretStoreRpc(KEYSTORE, new SecureRandom(), () -> 0L);
        String response = rpc.handle(new String(input, StandardCharsets.UTF_8));
        if (response == null) return;
        assertThat(response).doesNotContain("a4-pw");
        JsonNode root = JSON.readTree(response);
        for (JsonNode r : root.isArray() ? root : JSON.createArrayNode().add(root)) {
            assertThat(r.path("error").path("code").asInt()).as(response).isNotEqualTo(-32603);
        }
    }
}
