package dev.secretstore.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.secretstore.protocol.session.Envelope;

/**
 * The cluster message codec under arbitrary bytes (issue #17, SEC-01, SEC-05). Oracle: {@link MessageCodec#decode}
 * returns an envelope or throws {@link MessageCodec.CodecException}; an envelope it returns must encode again, and
 * that encoding must decode to an envelope that encodes to the same bytes (a decoded message is a valid one; the
 * codec does not accept what it cannot write). The codec turns every runtime exception of the decoding into a
 * CodecException, so a bug there shows as a failing round trip, an out-of-memory or a hang rather than as a
 * stray exception. Corpus {@code MessageCodecFuzzTestInputs/}: an encoding of every message type of the
 * codec's tests, and broken ones.
 */
class MessageCodecFuzzTest {
    private static final MessageCodec CODEC = ClusterMessages.codec(1 << 20);

    @FuzzTest
    void decode(byte[] input) {
        Envelope e;
        try {
            e = CODEC.decode(input);
        } catch (MessageCodec.CodecException rejected) {
            return;
        }
        byte[] again = CODEC.encode(e);
        assertThat(CODEC.encode(CODEC.decode(again))).isEqualTo(again);
    }
}
