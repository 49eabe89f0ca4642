package dev.secretstore.node.transport;

import dev.secretstore.crypto.PublicPoint;
import javax.security.auth.Destroyable;

/**
 * The result of a completed Noise IK handshake: one cipher state per direction, the authenticated
 * static key of the remote node and the handshake hash (usable as a channel binding).
 */
public final class NoiseSession implements Destroyable {
    private final CipherState sender;
    private final CipherState receiver;
    private final PublicPoint remoteStatic;
    private final byte[] handshakeHash;
    private final boolean initiator;

    NoiseSession(CipherState sender, CipherState receiver, PublicPoint remoteStatic, byte[] handshakeHash, boolean initiator) {
        this.sender = sender;
        this.receiver = receiver;
        this.remoteStatic = remoteStatic;
        this.handshakeHash = handshakeHash;
        this.initiator = initiator;
    }

    /** Encrypts what this side sends. */
    public CipherState sender() {
        return sender;
    }

    /** Decrypts what the remote side sent. */
    public CipherState receiver() {
        return receiver;
    }

    /** The remote node's static public key, authenticated by the handshake. */
    public PublicPoint remoteStatic() {
        return remoteStatic;
    }

    /** The final handshake hash h (32 bytes, a copy). */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public void destroy() {
        sender.destroy();
        receiver.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return sender.isDestroyed() && receiver.isDestroyed();
    }

    @Override
    public String toString() {
        return "NoiseSession[" + (initiator ? "initiator" : "responder") + ", remote=" + remoteStatic.toHex().substring(0, 8) + "]";
    }
}
