package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SEC-07: no secret in toString or exception text; destroyed secrets are unusable. */
class SecretRedactionTest {
    private static final String SECRET_HEX = "4d5db4107d237df6a3d58ee5f70ae63d73d7658d4026f2eefd2f204c81682cb7";

    @Test
    void secretScalarToStringNeverShowsTheValue() { // SEC-07
        SecretScalar s = SecretScalar.fromBytes(Hex.decode(SECRET_HEX));
        assertThat(s.toString()).doesNotContainIgnoringCase(SECRET_HEX).doesNotContainIgnoringCase(SECRET_HEX.substring(0, 8));
        assertThat(String.valueOf(s)).doesNotContainIgnoringCase(SECRET_HEX);
        s.destroy();
        assertThat(s.toString()).doesNotContainIgnoringCase(SECRET_HEX);
    }

    @Test
    void keyPairToStringShowsOnlyThePublicKey() { // SEC-07
        KeyPair keys = KeyPair.fromSecretBytes(Hex.decode(SECRET_HEX));
        assertThat(keys.toString())
                .doesNotContainIgnoringCase(SECRET_HEX)
                .doesNotContainIgnoringCase(SECRET_HEX.substring(0, 8))
                .contains(keys.publicKey().toHex());
    }

    @Test
    void exceptionsFromSigningEciesAndEcdhCarryNoSecret() { // SEC-07, SEC-04
        SecretScalar s = SecretScalar.fromBytes(Hex.decode(SECRET_HEX));
        List<Throwable> failures = new ArrayList<>();
        byte[] blob = Ecies.encryptToClient(s.mulG(), Hex.decode(SECRET_HEX));
        blob[blob.length - 1] ^= 1;
        failures.add(catchIt(() -> Ecies.decryptFromServer(s, blob)));
        failures.add(catchIt(() -> Ecies.decrypt(s, new byte[0], new byte[200])));
        failures.add(catchIt(() -> SecretScalar.fromBytes(Hex.decode("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"))));
        failures.add(catchIt(() -> RecoverableSignature.fromHex(SECRET_HEX + SECRET_HEX + "05")));
        for (Throwable t : failures) {
            assertThat(t).isInstanceOf(CryptoException.class);
            for (Throwable c = t; c != null; c = c.getCause()) {
                assertThat(String.valueOf(c.getMessage())).doesNotContainIgnoringCase(SECRET_HEX);
            }
        }
    }

    @Test
    void destroyedSecretsAreZeroedAndUnusable() { // SEC-07
        SecretScalar s = SecretScalar.fromBytes(Hex.decode(SECRET_HEX));
        SecretScalar copy = s.copy();
        s.destroy();
        assertThat(s.isDestroyed()).isTrue();
        assertThatThrownBy(s::mulG).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Ecdsa.sign(s, H256.fromBytes(new byte[32]))).isInstanceOf(IllegalStateException.class);
        assertThat(Hex.encode(copy.toBytes())).isEqualTo(SECRET_HEX); // an independent copy survives
    }

    private static Throwable catchIt(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }
}
