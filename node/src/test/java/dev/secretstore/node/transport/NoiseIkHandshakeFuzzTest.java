package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The Noise IK handshake under arbitrary and edited messages (issue #17, SEC-01, SEC-21). Oracle: a message
 * is either accepted or refused with {@link TransportException} whose cause, if any, is a
 * {@link CryptoException} (an invalid key); a wrapped NullPointerException, IndexOutOfBounds or the like is a
 * finding, as is any other exception. Input layout (corpus {@code NoiseIkHandshakeFuzzTestInputs/}):
 * <ul>
 *   <li>first byte even: the rest is handshake message 1 as a responder reads it;
 *   <li>first byte odd: a real handshake between two members with deterministic ephemerals, with 3-byte edits
 *       (a 16-bit position into message 1 ‖ message 2, an XOR mask) applied in flight. Unedited messages must
 *       complete the handshake (and the two sessions must talk); an edited one must be refused.
 * </ul>
 */
class NoiseIkHandshakeFuzzTest {
    private static final KeyPair INITIATOR = KeyPair.fromSecretBytes(H256.keccak(new byte[] {1}).toBytes());
    private static final KeyPair RESPONDER = KeyPair.fromSecretBytes(H256.keccak(new byte[] {2}).toBytes());

    private static Supplier<SecretScalar> ephemerals(int seed) {
        int[] n = {seed};
        return () -> SecretScalar.reduce(H256.keccak(new byte[] {(byte) (n[0] >> 8), (byte) n[0]++, 7}).toBytes());
    }

    private static NoiseIkHandshake responder() {
        return NoiseIkHandshake.responder(RESPONDER, INITIATOR.publicKey()::equals, NoiseIkHandshake.defaultPrologue(), ephemerals(1000));
    }

    @FuzzTest
    void handshake(byte[] input) {
        if (input.length == 0 || (input[0] & 1) == 0) {
            NoiseIkHandshake r = responder();
            try {
                assertThat(r.readMessage1(input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length))).isEqualTo(INITIATOR.publicKey());
            } catch (TransportException e) {
                documented(e);
            }
            return;
        }
        NoiseIkHandshake i = NoiseIkHandshake.initiator(INITIATOR, RESPONDER.publicKey(), NoiseIkHandshake.defaultPrologue(), ephemerals(input[0]));
        NoiseIkHandshake r = responder();
        byte[] m1 = i.writeMessage1();
        byte[] edited1 = edit(input, m1, 0);
        try {
            assertThat(r.readMessage1(edited1)).isEqualTo(INITIATOR.publicKey());
            if (!Arrays.equals(edited1, m1)) fail("an edited message 1 was accepted");
        } catch (TransportException e) {
            if (Arrays.equals(edited1, m1)) throw e;
            documented(e);
            return;
        }
        byte[] m2 = r.writeMessage2();
        byte[] edited2 = edit(input, m2, m1.length);
        NoiseSession initiatorSession;
        try {
            initiatorSession = i.readMessage2(edited2);
            if (!Arrays.equals(edited2, m2)) fail("an edited message 2 was accepted");
        } catch (TransportException e) {
            if (Arrays.equals(edited2, m2)) throw e;
            documented(e);
            return;
        }
        byte[] hello = {1, 2, 3};
        assertThat(r.session().receiver().decryptWithAd(new byte[0], initiatorSession.sender().encryptWithAd(new byte[0], hello))).isEqualTo(hello);
    }

    /** {@code message} with the input's edits (positions counted from {@code from}) applied. */
    private static byte[] edit(byte[] input, byte[] message, int from) {
        byte[] out = message.clone();
        for (int k = 1; k + 2 < input.length; k += 3) {
            int position = (((input[k] & 0xFF) << 8) | (input[k + 1] & 0xFF)) - from;
            if (position >= 0 && position < out.length) out[position] ^= input[k + 2];
        }
        return out;
    }

    private static void documented(TransportException e) {
        if (e.getCause() != null && !(e.getCause() instanceof CryptoException) && !(e.getCause() instanceof TransportException)) {
            throw new AssertionError("handshake refusal caused by an unexpected exception", e);
        }
    }
}
