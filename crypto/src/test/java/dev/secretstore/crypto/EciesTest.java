package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parity ECIES (crypto.md §6): vectors A.4 and B.8, SEC-04 tamper tests (Tink style), round trips. */
class EciesTest {
    private static final SecretScalar A4_SECRET =
            SecretScalar.fromBytes(Hex.decode("c1f1cfe279a5c350d13795bce162941967340c8a228e6ba175489afc564a5bef"));
    private static final byte[] A4_BLOB = Hex.decode(
            "0440262acc06f1e13cb11b34e792cdf698673a16bb812163cb52689ac34c94ae47047b58f58d8b596d21ac7b03a55896132d07a7dc028b2dad88f6c5a90623fa5b30ff4b1ba385a98c970432d13417cf6d7facd62f86faaef15ca993735890da0cb3e417e2740fc72de7501eef083a12dd5a9ebe513b592b1740848576a936a1eb88fc553fc624b1cae41a0a4e074e34e2aaae686709f08d70e505c5acba12ef96017e89be675a2adb07c72c4e95814fbf");
    private static final String A4_PLAINTEXT =
            "ce9c0af4fc6818e44fd1934b04df9b6490ac744323d2bbfd5229df76968dd39827da4998260f133460c79732af7079eb4e32c55991fc0fea02475557d64e05fd";

    private static final String B8_K = "fcba6be3e53f3aea12fafec827b5ccdfd70e22d846e9e021af707ae3f0def31a";
    private static final String B8_K_G =
            "558ce4086b03f71f61c4a70dfb52dbc9538adcccf190a6def179b94b6fd265d43122bcbc6ab3028cfa93930eea70c9f3dba505b6a527cc43bb07ee95ef3a5d20";
    private static final String B8_BLOB = "04"
            + "36298306e869232f364a2daf2000a5b4e990bb249182d7b4ebe02065d8ca1a7970621a802693dabe002f710e535fb2c108f513d1fa0484b05d275762996a22de"
            + "00000000000000000000000000000000"
            + "07fa"
            + "04d39331cec7c14cce03b03a5a83a5b225a514e9d3446cd2561ea72b1312c8bf";

    // ---- known answers ----

    @Test
    void vectorA4_eciesDecryptsDocumentKey() {
        assertThat(A4_BLOB).hasSize(177);
        byte[] m = Ecies.decrypt(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, A4_BLOB);
        assertThat(Hex.encode(m)).isEqualTo(A4_PLAINTEXT);
        assertThat(Hex.encode(Ecies.decryptFromServer(A4_SECRET, A4_BLOB))).isEqualTo(A4_PLAINTEXT);
        assertThat(A4_SECRET.mulG().toAddress().toHex()).isEqualTo("0x5c2f3b4ec0c2234f8358697edc8b82a62e3ac995");
    }

    @Test
    void vectorA4_eciesRejectsEmptyAuthData() {
        assertDecryptionFails(A4_SECRET, new byte[0], A4_BLOB);
        assertDecryptionFails(A4_SECRET, new byte[] {0}, A4_BLOB);
        assertDecryptionFails(A4_SECRET, new byte[] {0, 1}, A4_BLOB);
        assertDecryptionFails(A4_SECRET, new byte[] {0, 0, 0}, A4_BLOB);
    }

    @Test
    void vectorB8_eciesEmptyAuthDataKnownAnswer() {
        SecretScalar k = SecretScalar.fromBytes(Hex.decode(B8_K));
        byte[] blob = Hex.decode(B8_BLOB);
        assertThat(blob).hasSize(0x73);
        assertThat(Ecies.decrypt(k, new byte[0], blob)).isEqualTo("{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertDecryptionFails(k, Ecies.DEFAULT_AUTH_DATA, blob);

        // Re-encrypt with the vector's ephemeral r = 0x5678 and a zero IV: the exact bytes come back.
        PublicPoint recipient = PublicPoint.fromHex(B8_K_G);
        assertThat(k.mulG()).isEqualTo(recipient);
        SecretScalar r = SecretScalar.of(Scalar.fromHex("5678"));
        byte[] again = Ecies.encrypt(recipient, new byte[0], new byte[] {'{', '}'}, r, new byte[16]);
        assertThat(Hex.encode(again)).isEqualTo(B8_BLOB);
    }

    // ---- round trips and lengths ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 32, 64, 65, 1000})
    void roundTripsEveryLength(int length) {
        DeterministicRandom rng = new DeterministicRandom(length);
        KeyPair recipient = KeyPair.fromSecret(SecretScalar.random(rng));
        byte[] plaintext = new byte[length];
        new Random(length).nextBytes(plaintext);
        byte[] authData = {1, 2, 3};

        byte[] blob = Ecies.encrypt(recipient.publicKey(), authData, plaintext, rng);
        assertThat(blob).hasSize(Ecies.OVERHEAD + length);
        assertThat(blob[0]).isEqualTo((byte) 0x04);
        assertThat(Ecies.decrypt(recipient.secret(), authData, blob)).isEqualTo(plaintext);
        assertDecryptionFails(recipient.secret(), new byte[0], blob);
        assertDecryptionFails(KeyPair.fromSecret(SecretScalar.random(rng)).secret(), authData, blob); // wrong key

        byte[] toClient = Ecies.encryptToClient(recipient.publicKey(), plaintext);
        assertThat(Ecies.decryptFromServer(recipient.secret(), toClient)).isEqualTo(plaintext);
        assertThat(Ecies.decrypt(recipient.secret(), new byte[] {0, 0}, toClient)).isEqualTo(plaintext);
    }

    @Test
    void clientFacingBlobLengthsMatchTheSpecTable() { // crypto.md §6: 145 / 177 / 178 bytes
        PublicPoint recipient = A4_SECRET.mulG();
        assertThat(Ecies.encryptToClient(recipient, new byte[32])).hasSize(145);
        assertThat(Hex.encode(Ecies.encryptToClient(recipient, new byte[64]))).hasSize(354);
        assertThat(Ecies.encryptToClient(recipient, new byte[65])).hasSize(178);
    }

    @Test
    void freshEphemeralKeyAndIvEveryTime() {
        PublicPoint recipient = A4_SECRET.mulG();
        byte[] a = Ecies.encryptToClient(recipient, new byte[32]);
        byte[] b = Ecies.encryptToClient(recipient, new byte[32]);
        assertThat(Arrays.copyOfRange(a, 1, 81)).isNotEqualTo(Arrays.copyOfRange(b, 1, 81));
    }

    // ---- SEC-04: tampering, truncation, malformed input ----

    @Test
    void everySingleBitFlipFails() { // SEC-04
        for (int i = 0; i < A4_BLOB.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] tampered = A4_BLOB.clone();
                tampered[i] ^= (byte) (1 << bit);
                assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, tampered);
            }
        }
    }

    @Test
    void everyTruncationFails() { // SEC-04: lengths 0 .. len−1
        for (int length = 0; length < A4_BLOB.length; length++) {
            assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, Arrays.copyOf(A4_BLOB, length));
        }
    }

    @Test
    void appendedBytesFail() {
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, Arrays.copyOf(A4_BLOB, A4_BLOB.length + 1));
    }

    @Test
    void emptyOneByteAnd112ByteInputsFail() { // SEC-04: Parity panics on empty input
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, new byte[0]);
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, new byte[] {0x04});
        byte[] shortBlob = new byte[112];
        shortBlob[0] = 0x04;
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, shortBlob);
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, null);
        assertDecryptionFails(A4_SECRET, null, A4_BLOB);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff})
    void wrongPrefixFails(int prefix) { // SEC-04
        byte[] tampered = A4_BLOB.clone();
        tampered[0] = (byte) prefix;
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, tampered);
    }

    @Test
    void invalidEphemeralKeysFail() { // SEC-01 through ECIES
        BigInteger p = Secp256k1.P;
        byte[] y = Arrays.copyOfRange(A4_BLOB, 33, 65);
        // X = p (with the original Y), Y = p, off curve (Y + 1), all zero
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, withR(Scalar.toBytes32(p), y));
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, withR(Arrays.copyOfRange(A4_BLOB, 1, 33), Scalar.toBytes32(p)));
        byte[] yPlusOne = Scalar.toBytes32(new BigInteger(1, y).add(BigInteger.ONE).mod(p));
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, withR(Arrays.copyOfRange(A4_BLOB, 1, 33), yPlusOne));
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, withR(new byte[32], new byte[32]));
        // a point on the twist-like curve y² = x³ + 8 (x = 1, y = 3): invalid-curve attack input
        assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, withR(Scalar.toBytes32(BigInteger.ONE), Scalar.toBytes32(BigInteger.valueOf(3))));
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() { // SEC-04: "error, never an exception escaping the API"
        Random rnd = new Random(0x6A2BA6EL);
        for (int i = 0; i < 300; i++) {
            byte[] blob = new byte[rnd.nextInt(260)];
            rnd.nextBytes(blob);
            if (rnd.nextBoolean() && blob.length > 0) {
                blob[0] = 0x04;
            }
            assertDecryptionFails(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, blob);
        }
    }

    @Test
    void failureMessagesCarryNoSecrets() { // SEC-07
        String secretHex = Hex.encode(A4_SECRET.toBytes());
        byte[] tampered = A4_BLOB.clone();
        tampered[100] ^= 1;
        try {
            Ecies.decrypt(A4_SECRET, Ecies.DEFAULT_AUTH_DATA, tampered);
            fail("tampered blob decrypted");
        } catch (CryptoException e) {
            assertThat(e.getMessage()).doesNotContain(secretHex).doesNotContain(A4_PLAINTEXT.substring(0, 32));
            assertThat(e.getCause()).isNull();
        }
    }

    private static byte[] withR(byte[] x, byte[] y) {
        byte[] out = A4_BLOB.clone();
        System.arraycopy(x, 0, out, 1, 32);
        System.arraycopy(y, 0, out, 33, 32);
        return out;
    }

    private static void assertDecryptionFails(SecretScalar d, byte[] authData, byte[] blob) {
        assertThatThrownBy(() -> Ecies.decrypt(d, authData, blob))
                .isExactlyInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.DECRYPTION_FAILED));
    }
}
