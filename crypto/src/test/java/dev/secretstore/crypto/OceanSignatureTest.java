package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * test-vectors.md C: the Ocean Java client's {@code secretstore_signRawHash} expectation. test-vectors.md
 * shows the signature abbreviated ({@code 88122b12…0fe000}); the full value below is copied verbatim from
 * the client's integration test {@code JsonRpcSecretStoreRpcIT.SIGNED_HASH}
 * (github.com/floss50/secret-store-client-java, package {@code com.oceanprotocol.secretstore}, commit
 * 6df39d626b5eeb87b596e665b962491b2588b1f6; the same value is in the nevermined-io fork). It matches the
 * abbreviated prefix and suffix. The account's secret is not public, so only recovery is tested.
 */
class OceanSignatureTest {
    private static final String SIGNED_HASH =
            "0x88122b123958bb1eda7763b61bec046d3819365ed5ccfa9c535df2dffacfebf65cd5a33371ad37f2f9651b5475610c74bc06dd237e3559e3f4a41cf0a46f0fe000";
    private static final Address ACCOUNT = Address.fromHex("0xb3e6499f2b07817ee8e35c8e63cb200df2055d91");

    @Test
    void vectorC_oceanSignatureRecoversOnlyForRawHash() throws Exception {
        assertThat(SIGNED_HASH).startsWith("0x88122b12").endsWith("0fe000");
        RecoverableSignature sig = RecoverableSignature.fromHex(SIGNED_HASH);
        byte[] message = "did:ocn:0x1234".getBytes(StandardCharsets.US_ASCII);
        byte[] rawHash = MessageDigest.getInstance("SHA-256").digest(message);

        assertThat(Ecdsa.recover(sig, H256.fromBytes(rawHash)).toAddress()).isEqualTo(ACCOUNT);

        // Not with the Ethereum personal-message prefix over the 32 bytes (SEC-23: no prefix on raw hashes).
        byte[] prefixed = Keccak256.hash("\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.US_ASCII), rawHash);
        assertThat(recoversTo(sig, H256.fromBytes(prefixed))).isFalse();
        // Nor over keccak256(message).
        assertThat(recoversTo(sig, H256.fromBytes(Keccak256.hash(message)))).isFalse();
    }

    private static boolean recoversTo(RecoverableSignature sig, H256 hash) {
        try {
            return Ecdsa.recover(sig, hash).toAddress().equals(ACCOUNT);
        } catch (CryptoException e) {
            return false;
        }
    }
}
