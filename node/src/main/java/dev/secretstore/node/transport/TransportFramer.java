package dev.secretstore.node.transport;

import java.util.function.Consumer;

/**
 * Sending half of a transport connection: splits an application message into frames
 * ({@link Framing}) and encrypts each with the session's sending {@link CipherState}. Pure, no I/O;
 * not thread-safe (one event-loop thread per connection).
 */
public final class TransportFramer {
    private static final byte[] EMPTY = new byte[0];
    private final CipherState sender;
    private final int maxMessageSize;

    public TransportFramer(CipherState sender, int maxMessageSize) {
        this.sender = sender;
        this.maxMessageSize = Framing.checkMaxMessageSize(maxMessageSize);
    }

    /**
     * Encrypts {@code message} into one or more Noise transport messages (each at most
     * {@value Framing#MAX_NOISE_MESSAGE} bytes) and hands them to {@code out} in order.
     */
    public void encode(byte[] message, Consumer<byte[]> out) {
        if (message.length > maxMessageSize) {
            throw new TransportException(TransportException.Reason.MESSAGE_TOO_LARGE,
                    "message of " + message.length + " bytes exceeds the maximum of " + maxMessageSize);
        }
        int first = Math.min(message.length, Framing.MAX_FRAME_PLAINTEXT - Framing.START_HEADER);
        byte[] plain = new byte[Framing.START_HEADER + first];
        plain[0] = Framing.TYPE_START;
        int len = message.length;
        plain[1] = (byte) (len >>> 24);
        plain[2] = (byte) (len >>> 16);
        plain[3] = (byte) (len >>> 8);
        plain[4] = (byte) len;
        System.arraycopy(message, 0, plain, Framing.START_HEADER, first);
        out.accept(sender.encryptWithAd(EMPTY, plain));
        int offset = first;
        while (offset < message.length) {
            int n = Math.min(message.length - offset, Framing.MAX_FRAME_PLAINTEXT - Framing.CONTINUATION_HEADER);
            plain = new byte[Framing.CONTINUATION_HEADER + n];
            plain[0] = Framing.TYPE_CONTINUATION;
            System.arraycopy(message, offset, plain, Framing.CONTINUATION_HEADER, n);
            out.accept(sender.encryptWithAd(EMPTY, plain));
            offset += n;
        }
    }

    /** One encrypted keep-alive frame. */
    public byte[] keepAlive() {
        return sender.encryptWithAd(EMPTY, new byte[] {Framing.TYPE_KEEPALIVE});
    }

    /** The number of Noise messages {@link #encode} produces for a message of this length. */
    public static int frameCount(int messageLength) {
        int first = Framing.MAX_FRAME_PLAINTEXT - Framing.START_HEADER;
        if (messageLength <= first) return 1;
        int per = Framing.MAX_FRAME_PLAINTEXT - Framing.CONTINUATION_HEADER;
        return 1 + (messageLength - first + per - 1) / per;
    }
}
