package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Transport frames under arbitrary input (issue #17, SEC-20, SEC-21). The AEAD would refuse every random
 * ciphertext before the framing code sees it, so the input is a sequence of frame plaintexts, each encrypted
 * with the peer's sending key and handed to {@link TransportDeframer}: the framing parser meets any authenticated
 * frame a member could send. Input layout (corpus {@code TransportDeframerFuzzTestInputs/}): repeated
 * {@code [2-byte length][plaintext]}; a length of 0xFFFF hands the rest over as raw (unencrypted) bytes.
 * Oracle: each frame yields a message or nothing, or is refused with {@link TransportException}, after which the
 * deframer refuses everything ({@code CLOSED}); a completed message is exactly the data of its START and
 * CONTINUATION frames. Any other exception is a finding.
 */
class TransportDeframerFuzzTest {
    private static final byte[] KEY = new byte[32];
    private static final int MAX_MESSAGE = 1 << 18;

    @FuzzTest
    void frames(byte[] input) {
        CipherState sender = new CipherState(KEY.clone());
        TransportDeframer deframer = new TransportDeframer(new CipherState(KEY.clone()), MAX_MESSAGE);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int at = 0;
        while (at + 2 <= input.length) {
            int length = ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF);
            at += 2;
            byte[] noise;
            byte[] plain = null;
            if (length == 0xFFFF) {
                noise = Arrays.copyOfRange(input, at, input.length);
                at = input.length;
            } else {
                plain = Arrays.copyOfRange(input, at, Math.min(input.length, at + length));
                at += plain.length;
                noise = sender.encryptWithAd(new byte[0], plain);
            }
            Optional<byte[]> out;
            try {
                out = deframer.accept(noise);
            } catch (TransportException e) {
                assertThatThrownBy(() -> deframer.accept(noise)).isInstanceOf(TransportException.class)
                        .extracting(x -> ((TransportException) x).reason()).isEqualTo(TransportException.Reason.CLOSED);
                return;
            }
            if (plain != null && plain.length > 0 && plain[0] == Framing.TYPE_START) {
                expected.reset();
                expected.write(plain, Framing.START_HEADER, plain.length - Framing.START_HEADER);
            } else if (plain != null && plain.length > 0 && plain[0] == Framing.TYPE_CONTINUATION) {
                expected.write(plain, Framing.CONTINUATION_HEADER, plain.length - Framing.CONTINUATION_HEADER);
            }
            if (out.isPresent()) {
                assertThat(out.get()).isEqualTo(expected.toByteArray());
                expected.reset();
            }
        }
    }
}
