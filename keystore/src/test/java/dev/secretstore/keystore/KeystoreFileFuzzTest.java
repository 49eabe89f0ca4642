package dev.secretstore.keystore;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.KeyPair;
import java.io.IOException;

/**
 * The keystore v3 parser under arbitrary files (issue #17). The input is a file's bytes, read as
 * {@link Keystore} reads one (unparsable JSON is "not a keystore file"), then its declared address and a
 * decryption with the password {@code fuzz}. Oracle: a key pair whose address is the declared one (when the
 * file declares one), or {@link KeystoreException}; any other exception, an out-of-memory or a hang (key
 * derivation parameters too costly to refuse) is a finding. Corpus {@code KeystoreFileFuzzTestInputs/}: files
 * for the password {@code fuzz} under cheap pbkdf2 and scrypt parameters (so mutations get past the MAC), the
 * Web3 Secret Storage vectors and broken files.
 */
class KeystoreFileFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest
    void decrypt(byte[] input) {
        JsonNode file;
        try {
            file = JSON.readTree(input);
        } catch (IOException e) {
            return; // not a keystore file
        }
        if (file == null || !file.isObject()) return; // Keystore skips it
        try {
            KeystoreFile.declaredAddress(file);
        } catch (KeystoreException e) {
            assertThat(e.reason()).isEqualTo(KeystoreException.Reason.INVALID_FILE);
        }
        try {
            KeyPair kp = KeystoreFile.decrypt(file, "fuzz");
            if (file.has("address")) assertThat(kp.address()).isEqualTo(KeystoreFile.declaredAddress(file));
            kp.destroy();
        } catch (KeystoreException e) {
            assertThat(e.reason()).isIn(KeystoreException.Reason.INVALID_FILE, KeystoreException.Reason.WRONG_PASSWORD);
        }
    }
}
