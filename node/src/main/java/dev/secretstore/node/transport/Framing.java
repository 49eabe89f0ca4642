package dev.secretstore.node.transport;

/**
 * Constants of the transport framing (docs/transport.md §3). Each Noise transport message carries,
 * inside its AES-GCM ciphertext, one frame:
 *
 * <pre>
 *   KEEPALIVE     0x00
 *   START         0x01 ‖ u32be total_length ‖ data   (first chunk of an application message)
 *   CONTINUATION  0x02 ‖ data                         (1 ≤ |data| ≤ bytes still missing)
 * </pre>
 */
public final class Framing {
    /** Noise's limit on a transport message (ciphertext including the tag), rev 34 §3. */
    public static final int MAX_NOISE_MESSAGE = 65_535;
    /** Largest plaintext of one Noise transport message. */
    public static final int MAX_FRAME_PLAINTEXT = MAX_NOISE_MESSAGE - CipherState.TAG_LENGTH;
    /** The default maximum application message size, 16 MiB (SEC-20). */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
    /** Upper bound on any configured maximum (a Java array must be able to hold the message). */
    public static final int MAX_CONFIGURABLE_MESSAGE_SIZE = Integer.MAX_VALUE - 64;

    public static final byte TYPE_KEEPALIVE = 0x00;
    public static final byte TYPE_START = 0x01;
    public static final byte TYPE_CONTINUATION = 0x02;
    static final int START_HEADER = 5;
    static final int CONTINUATION_HEADER = 1;

    private Framing() {
    }

    static int checkMaxMessageSize(int maxMessageSize) {
        if (maxMessageSize < 0 || maxMessageSize > MAX_CONFIGURABLE_MESSAGE_SIZE) {
            throw new IllegalArgumentException("maximum message size out of range: " + maxMessageSize);
        }
        return maxMessageSize;
    }
}
