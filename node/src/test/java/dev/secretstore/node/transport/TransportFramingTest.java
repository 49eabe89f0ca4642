package dev.secretstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CipherState and framing without sockets (SEC-17 frame-level attacks, SEC-20 limits). */
class TransportFramingTest {
    private static final int MAX = Framing.DEFAULT_MAX_MESSAGE_SIZE;
    private static final byte[] K1 = filled(32, 0x11);
    private static final byte[] K2 = filled(32, 0x22);

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** A's sending and B's receiving state share K1; B→A uses K2, as Split() gives. */
    private static TransportFramer framer(byte[] key) {
        return new TransportFramer(new CipherState(key), MAX);
    }

    private static TransportDeframer deframer(byte[] key) {
        return new TransportDeframer(new CipherState(key), MAX);
    }

    private static List<byte[]> encode(TransportFramer f, byte[] message) {
        List<byte[]> out = new ArrayList<>();
        f.encode(message, out::add);
        return out;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_513, 65_514, 65_535, 200_000, 16 * 1024 * 1024})
    void roundTrip(int size) {
        byte[] message = random(size);
        List<byte[]> frames = encode(framer(K1), message);
        assertThat(frames).hasSize(TransportFramer.frameCount(size));
        assertThat(frames).allSatisfy(f -> assertThat(f.length).isLessThanOrEqualTo(Framing.MAX_NOISE_MESSAGE));
        TransportDeframer d = deframer(K1);
        Optional<byte[]> result = Optional.empty();
        for (int i = 0; i < frames.size(); i++) {
            result = d.accept(frames.get(i));
            assertThat(result.isPresent()).isEqualTo(i == frames.size() - 1);
        }
        assertThat(result.orElseThrow()).isEqualTo(message);
    }

    @Test
    void messagesAndKeepAlivesInterleaveInOrder() {
        TransportFramer f = framer(K1);
        TransportDeframer d = deframer(K1);
        assertThat(d.accept(f.keepAlive())).isEmpty();
        for (int i = 0; i < 5; i++) {
            byte[] m = random(i * 1000);
            List<byte[]> frames = encode(f, m);
            assertThat(d.accept(frames.get(0)).orElseThrow()).isEqualTo(m);
            assertThat(d.accept(f.keepAlive())).isEmpty();
        }
        assertThat(d.framesAccepted()).isEqualTo(11);
    }

    @Test
    void nonceIsThirtyTwoZeroBitsThenTheBigEndianCounter() throws Exception {
        CipherState cs = new CipherState(K1);
        cs.setNonce(0x0102030405060708L);
        byte[] ct = cs.encryptWithAd(new byte[] {9}, new byte[] {1, 2, 3});
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] iv = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(K1, "AES"), new GCMParameterSpec(128, iv));
        jdk.updateAAD(new byte[] {9});
        assertThat(ct).isEqualTo(jdk.doFinal(new byte[] {1, 2, 3}));
        assertThat(cs.nonce()).isEqualTo(0x0102030405060709L);
    }

    @Test
    void nonceTwoToTheSixtyFourMinusOneIsNeverUsed() {
        CipherState enc = new CipherState(K1);
        CipherState dec = new CipherState(K1);
        enc.setNonce(-2L); // 2^64 - 2
        dec.setNonce(-2L);
        byte[] last = enc.encryptWithAd(new byte[0], new byte[] {1});
        assertThat(dec.decryptWithAd(new byte[0], last)).containsExactly(1);
        assertThat(catchThrowableOfType(() -> enc.encryptWithAd(new byte[0], new byte[] {2}), TransportException.class).reason())
                .isEqualTo(TransportException.Reason.NONCE_EXHAUSTED);
        assertThat(catchThrowableOfType(() -> dec.decryptWithAd(new byte[0], last), TransportException.class).reason())
                .isEqualTo(TransportException.Reason.NONCE_EXHAUSTED);
    }

    @Test
    void replayedFrameFails() {
        TransportFramer f = framer(K1);
        TransportDeframer d = deframer(K1);
        byte[] frame = f.keepAlive();
        d.accept(frame);
        assertReason(() -> d.accept(frame), TransportException.Reason.DECRYPT_FAILED);
    }

    @Test
    void reorderedFramesFail() {
        TransportFramer f = framer(K1);
        byte[] a = encode(f, new byte[] {1}).get(0);
        byte[] b = encode(f, new byte[] {2}).get(0);
        TransportDeframer d = deframer(K1);
        assertReason(() -> d.accept(b), TransportException.Reason.DECRYPT_FAILED);
        // and a chunk of a large message taken out of order fails too
        List<byte[]> chunks = encode(framer(K1), random(200_000));
        TransportDeframer d2 = deframer(K1);
        d2.accept(chunks.get(0));
        assertReason(() -> d2.accept(chunks.get(2)), TransportException.Reason.DECRYPT_FAILED);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void droppedFrameMakesTheNextOneFail() {
        TransportFramer f = framer(K1);
        f.keepAlive(); // dropped on the wire
        byte[] next = f.keepAlive();
        assertReason(() -> deframer(K1).accept(next), TransportException.Reason.DECRYPT_FAILED);
    }

    @Test
    void reflectedFrameFails() {
        // A sends with K1 and receives with K2; a frame A sent, fed back to A's receive side, fails
        byte[] sentByA = encode(framer(K1), new byte[] {42}).get(0);
        TransportDeframer aReceives = deframer(K2);
        assertReason(() -> aReceives.accept(sentByA), TransportException.Reason.DECRYPT_FAILED);
    }

    @Test
    void everyBitFlipFails() {
        byte[] frame = encode(framer(K1), new byte[] {1, 2, 3}).get(0);
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] bad = frame.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            TransportDeframer d = deframer(K1);
            assertThatThrownBy(() -> d.accept(bad)).isInstanceOf(TransportException.class);
        }
    }

    @Test
    void everyTruncationFails() {
        byte[] frame = encode(framer(K1), new byte[] {1, 2, 3}).get(0);
        for (int len = 0; len < frame.length; len++) {
            byte[] bad = Arrays.copyOf(frame, len);
            assertReason(() -> deframer(K1).accept(bad), TransportException.Reason.DECRYPT_FAILED);
        }
    }

    @Test
    void aFailureIsFatalForTheDeframer() {
        TransportFramer f = framer(K1);
        TransportDeframer d = deframer(K1);
        byte[] good = f.keepAlive();
        byte[] bad = good.clone();
        bad[0] ^= 1;
        assertReason(() -> d.accept(bad), TransportException.Reason.DECRYPT_FAILED);
        assertReason(() -> d.accept(good), TransportException.Reason.CLOSED);
    }

    @Test
    void oversizedTotalLengthIsRejectedBeforeAllocation() {
        // announce 2^31 - 1 bytes: allocating it would fail with OutOfMemoryError, so passing
        // this test shows the limit is checked first (SEC-20)
        for (long total : new long[] {MAX + 1L, Integer.MAX_VALUE, 0xFFFF_FFFFL}) {
            byte[] plain = {Framing.TYPE_START, (byte) (total >>> 24), (byte) (total >>> 16), (byte) (total >>> 8), (byte) total};
            byte[] frame = new CipherState(K1).encryptWithAd(new byte[0], plain);
            assertReason(() -> deframer(K1).accept(frame), TransportException.Reason.MESSAGE_TOO_LARGE);
        }
        // the configured limit is honoured exactly
        TransportDeframer small = new TransportDeframer(new CipherState(K1), 10);
        List<byte[]> ok = new ArrayList<>();
        new TransportFramer(new CipherState(K1), 10).encode(new byte[10], ok::add);
        assertThat(small.accept(ok.get(0))).isPresent();
        byte[] eleven = new CipherState(K1).encryptWithAd(new byte[0], new byte[] {1, 0, 0, 0, 11});
        assertReason(() -> new TransportDeframer(new CipherState(K1), 10).accept(eleven), TransportException.Reason.MESSAGE_TOO_LARGE);
    }

    @Test
    void senderRefusesOversizedMessages() {
        TransportFramer f = new TransportFramer(new CipherState(K1), 100);
        assertReason(() -> f.encode(new byte[101], x -> { }), TransportException.Reason.MESSAGE_TOO_LARGE);
    }

    @Test
    void framingRuleViolationsAreFatal() {
        byte[][] plaintextSequences = {
                {},                                   // empty frame
                {7},                                  // unknown type
                {Framing.TYPE_KEEPALIVE, 0},          // keep-alive with a trailing byte
                {Framing.TYPE_CONTINUATION, 1},       // continuation without a start
                {Framing.TYPE_START, 0, 0},           // start shorter than its header
                {Framing.TYPE_START, 0, 0, 0, 1, 1, 2}, // more data than announced
        };
        for (byte[] plain : plaintextSequences) {
            byte[] frame = new CipherState(K1).encryptWithAd(new byte[0], plain);
            assertReason(() -> deframer(K1).accept(frame), TransportException.Reason.PROTOCOL_VIOLATION);
        }
        // start while a message is in progress; empty continuation; continuation overrun
        byte[][][] twoFrameSequences = {
                {{Framing.TYPE_START, 0, 0, 0, 5, 1}, {Framing.TYPE_START, 0, 0, 0, 1, 1}},
                {{Framing.TYPE_START, 0, 0, 0, 5, 1}, {Framing.TYPE_CONTINUATION}},
                {{Framing.TYPE_START, 0, 0, 0, 2, 1}, {Framing.TYPE_CONTINUATION, 1, 2}},
        };
        for (byte[][] seq : twoFrameSequences) {
            CipherState enc = new CipherState(K1);
            TransportDeframer d = deframer(K1);
            assertThat(d.accept(enc.encryptWithAd(new byte[0], seq[0]))).isEmpty();
            byte[] second = enc.encryptWithAd(new byte[0], seq[1]);
            assertReason(() -> d.accept(second), TransportException.Reason.PROTOCOL_VIOLATION);
        }
    }

    private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, TransportException.Reason reason) {
        TransportException e = catchThrowableOfType(call, TransportException.class);
        assertThat(e).as("expected TransportException " + reason).isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
    }
}
