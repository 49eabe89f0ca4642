package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * ECIES decryption under arbitrary input (issue #17, SEC-04, SEC-01): the oracle is "the plaintext, or
 * {@link CryptoException} with {@code DECRYPTION_FAILED}"; any other exception, a hang or an out-of-memory is a
 * finding. Input layout (so the committed corpus, {@code EciesFuzzTestInputs/}, stays readable bytes):
 * <ul>
 *   <li>first byte even: the rest is the blob, decrypted as it is;
 *   <li>first byte odd: the next byte is a plaintext length L, then L plaintext bytes, then 3-byte edits
 *       (a 16-bit position, an XOR mask; a position past the end truncates there): the plaintext is encrypted
 *       to the test key, edited, and decrypted. Unedited it must decrypt to the plaintext, edited it must fail.
 * </ul>
 * Replayed by every build; fuzzed with {@code JAZZER_FUZZ=1} (docs/testing.md, "Fuzzing").
 */
class EciesFuzzTest {
    private static final KeyPair KEY = KeyPair.fromSecretBytes(Hex.decode("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", 32));
    private static final byte[] AUTH = {0, 0};

    @FuzzTest
    void decrypt(byte[] input) {
        if (input.length == 0 || (input[0] & 1) == 0) {
            decryptsOrFails(input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length));
            return;
        }
        int length = input.length > 1 ? Math.min(input[1] & 0xFF, input.length - 2) : 0;
        byte[] plaintext = input.length < 2 ? new byte[0] : Arrays.copyOfRange(input, 2, 2 + length);
        byte[] blob = Ecies.encrypt(KEY.publicKey(), AUTH, plaintext, new DeterministicRandom(Arrays.hashCode(input)));
        byte[] edited = blob.clone();
        for (int i = 2 + length; i + 2 < input.length; i += 3) {
            int position = ((input[i] & 0xFF) << 8) | (input[i + 1] & 0xFF);
            if (position >= edited.length) {
                edited = Arrays.copyOf(edited, position % (edited.length + 1));
            } else {
                edited[position] ^= input[i + 2];
            }
        }
        if (Arrays.equals(edited, blob)) {
            assertThat(Ecies.decrypt(KEY.secret(), AUTH, edited)).isEqualTo(plaintext);
        } else {
            assertThat(decryptsOrFails(edited)).as("an edited ciphertext decrypted").isNull();
        }
    }

    /** The plaintext, or null after the documented failure. */
    private static byte[] decryptsOrFails(byte[] blob) {
        try {
            return Ecies.decrypt(KEY.secret(), AUTH, blob);
        } catch (CryptoException e) {
            assertThat(e.reason()).isEqualTo(CryptoException.Reason.DECRYPTION_FAILED);
            return null;
        }
    }
}
