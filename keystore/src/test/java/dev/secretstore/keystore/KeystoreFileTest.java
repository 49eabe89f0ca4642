package dev.secretstore.keystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keystore v3: the Web3 Secret Storage definition's test vectors (pbkdf2 and scrypt) and round trips. */
class KeystoreFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

    @Test
    void pbkdf2Vector() throws Exception {
        JsonNode file = JSON.readTree("""
                {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
                "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
                "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
                "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
                "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}""");
        KeyPair kp = KeystoreFile.decrypt(file, "testpassword");
        assertThat(Hex.encode(kp.secret().toBytes())).isEqualTo(KEY);
        assertThatThrownBy(() -> KeystoreFile.decrypt(file, "testpassworD"))
                .isInstanceOf(KeystoreException.class)
                .extracting(e -> ((KeystoreException) e).reason()).isEqualTo(KeystoreException.Reason.WRONG_PASSWORD);
    }

    /** The definition's scrypt vector uses r = 1, n = 2^18, outside RFC 7914 (BouncyCastle refuses it): rejected cleanly. */
    @Test
    void scryptVectorWithRfcViolatingParametersIsRejectedAsInvalidFile() throws Exception {
        JsonNode file = JSON.readTree("""
                {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
                "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
                "kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
                "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
                "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}""");
        assertThatThrownBy(() -> KeystoreFile.decrypt(file, "testpassword")).isInstanceOf(KeystoreException.class)
                .hasMessage("unsupported scrypt parameters");
    }

    /**
     * The file chooses the key derivation's cost: one over the bounds is refused before any work, not run for
     * hours (pbkdf2, c = 2^31 - 1) or until the heap is gone (scrypt, n·r = 2^25: 4 GiB). Found while writing
     * KeystoreFileFuzzTest (issue #17); the timeout makes the unbounded version fail rather than hang.
     */
    @Test
    void keyDerivationCostsOverTheBoundsAreRefusedAtOnce() throws Exception {
        String pbkdf2 = """
                {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
                "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
                "kdfparams":{"c":%d,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
                "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"version":3}""";
        String scrypt = """
                {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
                "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
                "kdfparams":{"dklen":32,"n":%d,"p":%d,"r":%d,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
                "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},"version":3}""";
        for (String file : new String[] {pbkdf2.formatted(Integer.MAX_VALUE), pbkdf2.formatted(KeystoreFile.MAX_PBKDF2_ITERATIONS + 1),
                scrypt.formatted(1 << 22, 1, 8), scrypt.formatted(1 << 14, 1_000_000, 8)}) {
            JsonNode json = JSON.readTree(file);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
                    assertThatThrownBy(() -> KeystoreFile.decrypt(json, "testpassword")).isInstanceOf(KeystoreException.class)
                            .extracting(e -> ((KeystoreException) e).reason()).isEqualTo(KeystoreException.Reason.INVALID_FILE));
        }
        // the bounds themselves are allowed: the Web3 Secret Storage pbkdf2 vector (c = 2^18) still opens (pbkdf2Vector)
        assertThat(KeystoreFile.MAX_PBKDF2_ITERATIONS).isGreaterThanOrEqualTo(262_144);
        assertThat(KeystoreFile.MAX_SCRYPT_NRP).isGreaterThanOrEqualTo((long) KeystoreFile.ScryptParams.STANDARD.n()
                * KeystoreFile.ScryptParams.STANDARD.r() * KeystoreFile.ScryptParams.STANDARD.p());
    }

    @Test
    void storeListUnlock(@TempDir Path dir) throws Exception {
        Keystore ks = new Keystore(dir);
        KeyPair kp = KeyPair.random();
        Path f = ks.store(kp, "pw", KeystoreFile.ScryptParams.LIGHT);
        assertThat(f.getFileName().toString()).startsWith("UTC--").endsWith(kp.address().toHex().substring(2));
        assertThat(ks.accounts()).containsOnlyKeys(kp.address());
        KeyPair back = ks.unlock(kp.address(), "pw");
        assertThat(back.publicKey()).isEqualTo(kp.publicKey());
        assertThatThrownBy(() -> ks.unlock(kp.address(), "wrong")).isInstanceOf(KeystoreException.class)
                .hasMessage("wrong password");
        assertThatThrownBy(() -> ks.unlock(KeyPair.random().address(), "pw")).isInstanceOf(KeystoreException.class)
                .hasMessage("unknown account");
    }
}
