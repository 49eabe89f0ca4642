package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Document encryption (crypto.md §7): key = M[0..16], output c ‖ iv. Vector A.5 (document part only). */
class DocumentCipherTest {
    private static final PublicPoint A5_M = PublicPoint.fromHex(
            "ae21625d668151fc963bf5756622fbdf99946763c30cbcb79dda77430eb94dfdabaa65cacc0556b6b9a03667c67097c442b268796e22af16090b67d7c2241c3a");

    @Test
    void vectorA5_documentDecryption() {
        byte[] encrypted = Hex.decode("2ddec1f9" + "6229efa2916988d8b2a82a47ef36f71c"); // ciphertext | IV
        assertThat(Hex.encode(DocumentCipher.decrypt(A5_M, encrypted))).isEqualTo("deadbeef");
    }

    @Test
    void vectorA5_reEncryptionWithTheSameIvGivesTheSameBytes() {
        byte[] iv = Hex.decode("6229efa2916988d8b2a82a47ef36f71c");
        java.security.SecureRandom fixedIv = new java.security.SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized void nextBytes(byte[] bytes) {
                System.arraycopy(iv, 0, bytes, 0, 16);
            }
        };
        assertThat(Hex.encode(DocumentCipher.encrypt(A5_M, Hex.decode("deadbeef"), fixedIv)))
                .isEqualTo("2ddec1f96229efa2916988d8b2a82a47ef36f71c");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 22, 33, 1000})
    void roundTripsWithTheIvAppended(int length) {
        byte[] plaintext = new byte[length];
        new java.util.Random(length).nextBytes(plaintext);
        byte[] out = DocumentCipher.encrypt(A5_M, plaintext, new DeterministicRandom(length));
        assertThat(out).hasSize(length + 16);
        byte[] expectedIv = new byte[16];
        new DeterministicRandom(length).nextBytes(expectedIv);
        assertThat(Arrays.copyOfRange(out, length, length + 16)).isEqualTo(expectedIv);
        assertThat(DocumentCipher.decrypt(A5_M, out)).isEqualTo(plaintext);
        assertThat(DocumentCipher.decrypt(A5_M, DocumentCipher.encrypt(A5_M, plaintext))).isEqualTo(plaintext);
    }

    @Test
    void onlyTheFirstSixteenBytesOfMAreTheKey() {
        PublicPoint other = SecretScalar.random(new DeterministicRandom(3)).mulG();
        byte[] out = DocumentCipher.encrypt(A5_M, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new DeterministicRandom(1));
        // No integrity protection: a wrong key gives garbage, not an error (Parity behaviour).
        assertThat(DocumentCipher.decrypt(other, out)).hasSize(5).isNotEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15})
    void inputsShorterThanTheIvAreRejected(int length) {
        assertThatThrownBy(() -> DocumentCipher.decrypt(A5_M, new byte[length]))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_ENCODING));
    }

    @Test
    void exactlyAnIvDecryptsToEmpty() {
        assertThat(DocumentCipher.decrypt(A5_M, new byte[16])).isEmpty();
    }
}
