package dev.secretstore.node.transport;

import java.util.Optional;

/**
 * Receiving half of a transport connection: decrypts each Noise transport message with the
 * session's receiving {@link CipherState} and reassembles application messages. Every error is
 * fatal: after a {@link TransportException} this object must be discarded with its connection.
 * Pure, no I/O; not thread-safe.
 */
public final class TransportDeframer {
    private static final byte[] EMPTY = new byte[0];
    private final CipherState receiver;
    private final int maxMessageSize;
    private byte[] pending; // message being reassembled, or null
    private int filled;
    private long framesAccepted;
    private boolean failed;

    public TransportDeframer(CipherState receiver, int maxMessageSize) {
        this.receiver = receiver;
        this.maxMessageSize = Framing.checkMaxMessageSize(maxMessageSize);
    }

    /**
     * Consumes one Noise transport message. Returns the application message it completes, or empty
     * (a keep-alive, or a chunk of a message still incomplete).
     */
    public Optional<byte[]> accept(byte[] noiseMessage) {
        return accept(noiseMessage, 0, noiseMessage.length);
    }

    public Optional<byte[]> accept(byte[] noiseMessage, int offset, int length) {
        if (failed) {
            throw new TransportException(TransportException.Reason.CLOSED, "deframer is unusable after a failure");
        }
        try {
            if (length > Framing.MAX_NOISE_MESSAGE) {
                throw violation("noise message of " + length + " bytes exceeds " + Framing.MAX_NOISE_MESSAGE);
            }
            byte[] plain = receiver.decryptWithAd(EMPTY, noiseMessage, offset, length);
            framesAccepted++;
            return handle(plain);
        } catch (TransportException e) {
            failed = true;
            pending = null;
            throw e;
        }
    }

    /** How many Noise messages have been authenticated so far (the first one confirms the handshake). */
    public long framesAccepted() {
        return framesAccepted;
    }

    private Optional<byte[]> handle(byte[] plain) {
        if (plain.length == 0) {
            throw violation("empty frame");
        }
        switch (plain[0]) {
            case Framing.TYPE_KEEPALIVE:
                if (plain.length != 1) throw violation("keep-alive frame with " + (plain.length - 1) + " trailing bytes");
                return Optional.empty();
            case Framing.TYPE_START: {
                if (pending != null) throw violation("START frame while a message is incomplete");
                if (plain.length < Framing.START_HEADER) throw violation("START frame shorter than its header");
                long total = ((plain[1] & 0xFFL) << 24) | ((plain[2] & 0xFFL) << 16) | ((plain[3] & 0xFFL) << 8) | (plain[4] & 0xFFL);
                if (total > maxMessageSize) {
                    // checked before any allocation for the message (SEC-20)
                    throw new TransportException(TransportException.Reason.MESSAGE_TOO_LARGE,
                            "announced message of " + total + " bytes exceeds the maximum of " + maxMessageSize);
                }
                int data = plain.length - Framing.START_HEADER;
                if (data > total) throw violation("START frame carries more data than the announced length");
                byte[] message = new byte[(int) total];
                System.arraycopy(plain, Framing.START_HEADER, message, 0, data);
                if (data == total) {
                    return Optional.of(message);
                }
                pending = message;
                filled = data;
                return Optional.empty();
            }
            case Framing.TYPE_CONTINUATION: {
                if (pending == null) throw violation("CONTINUATION frame without a message in progress");
                int data = plain.length - Framing.CONTINUATION_HEADER;
                if (data == 0) throw violation("empty CONTINUATION frame");
                if (data > pending.length - filled) throw violation("CONTINUATION frame overruns the announced length");
                System.arraycopy(plain, Framing.CONTINUATION_HEADER, pending, filled, data);
                filled += data;
                if (filled == pending.length) {
                    byte[] message = pending;
                    pending = null;
                    filled = 0;
                    return Optional.of(message);
                }
                return Optional.empty();
            }
            default:
                throw violation("unknown frame type " + (plain[0] & 0xFF));
        }
    }

    private static TransportException violation(String what) {
        return new TransportException(TransportException.Reason.PROTOCOL_VIOLATION, what);
    }
}
