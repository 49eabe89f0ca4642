package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The known-answer vector of docs/transport.md §7. The expected bytes were computed by an
 * independent implementation (Python: textbook secp256k1 arithmetic, hashlib, hmac and the
 * {@code cryptography} package's AESGCM) written from the document, not from this code.
 */
class HandshakeVectorTest {
    static final String M1 = "3c72addb4fdf09af94f0c94d7fe92a386a7e70cf8a1d85916386bb2535c7b1b13b306b0fe085665d8fc1b28ae1676cd3"
            + "ad6e08eaeda225fe38d0da4de55703e03c02ae33fec128b2f3828e01a56e7d460b17f72527a196b7b1b830130d8f1f6323c3d59768c0bc"
            + "a92a85174f4c3ee0c1f991d3e08a455bb12ca5aa76237d90d6eece7a550b136e3b109c72bbb8be66be4a99211dab5d449e12f0e9e4978f960e";
    static final String M2 = "2c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991ae31a9c671a36543f46cea8fce698460"
            + "8aa316aa0472a7eed08847440218cb2f26781c0eb92d9388fc1538f8eb235659";
    static final String H = "f0fe50d3b18bdc278a846c1fa50f6f674c0039aac9a1abe3c31252b7301cbe1d";
    static final String INITIATOR_KEEPALIVE = "99cb7acccc6b7398a4f3d3f6fc3f9cb36b";
    static final String RESPONDER_HELLO = "7d39415e5bb67145273f748240a25d3d86cc33417f81eda134b2";

    private static SecretScalar repeated(int b) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) b);
        return SecretScalar.fromBytes(bytes);
    }

    @Test
    void knownAnswerVector() {
        KeyPair initiatorStatic = KeyPair.fromSecret(repeated(0x11));
        KeyPair responderStatic = KeyPair.fromSecret(repeated(0x22));
        NoiseIkHandshake i = NoiseIkHandshake.initiator(initiatorStatic, responderStatic.publicKey(),
                NoiseIkHandshake.defaultPrologue(), () -> repeated(0x33));
        NoiseIkHandshake r = NoiseIkHandshake.responder(responderStatic, k -> true,
                NoiseIkHandshake.defaultPrologue(), () -> repeated(0x44));

        byte[] m1 = i.writeMessage1();
        assertThat(Hex.encode(m1)).isEqualTo(M1);
        r.readMessage1(m1);
        byte[] m2 = r.writeMessage2();
        assertThat(Hex.encode(m2)).isEqualTo(M2);
        NoiseSession si = i.readMessage2(m2);
        assertThat(Hex.encode(si.handshakeHash())).isEqualTo(H);
        assertThat(Hex.encode(r.session().handshakeHash())).isEqualTo(H);

        assertThat(Hex.encode(new TransportFramer(si.sender(), Framing.DEFAULT_MAX_MESSAGE_SIZE).keepAlive()))
                .isEqualTo(INITIATOR_KEEPALIVE);
        List<byte[]> frames = new ArrayList<>();
        new TransportFramer(r.session().sender(), Framing.DEFAULT_MAX_MESSAGE_SIZE)
                .encode("hello".getBytes(StandardCharsets.US_ASCII), frames::add);
        assertThat(frames).hasSize(1);
        assertThat(Hex.encode(frames.get(0))).isEqualTo(RESPONDER_HELLO);
    }
}
