package dev.secretstore.node.transport;

/**
 * The one exception type of the node-to-node transport. Every instance raised while reading from a
 * peer is fatal for that connection (SEC-17). Messages never contain key material or message
 * contents, only lengths, states and public keys.
 */
public final class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** A handshake message has the wrong length or arrives in the wrong state. */
        MALFORMED_HANDSHAKE,
        /** A received public key (ephemeral or static) is not a valid secp256k1 point (SEC-01). */
        INVALID_KEY,
        /** An AEAD tag did not verify: tampered, replayed, reordered, reflected or wrong-key data. */
        DECRYPT_FAILED,
        /** The initiator's static key is not one this node accepts connections from. */
        NOT_A_MEMBER,
        /** The 64-bit nonce of a cipher state is exhausted (Noise reserves 2^64 − 1). */
        NONCE_EXHAUSTED,
        /** A message exceeds the configured maximum (SEC-20). */
        MESSAGE_TOO_LARGE,
        /** A decrypted frame violates the framing rules (unknown type, bad length, bad sequence). */
        PROTOCOL_VIOLATION,
        /** A cipher state was used after a failure or after it was destroyed. */
        CLOSED,
        /** {@code send} to a peer with no established connection. */
        NOT_CONNECTED,
        /** {@code send} refused because the connection's bounded outbound queue is full (SEC-28). */
        QUEUE_FULL
    }

    private final Reason reason;

    public TransportException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TransportException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "TransportException[" + reason + "]: " + getMessage();
    }
}
