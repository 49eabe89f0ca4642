package dev.secretstore.node.transport;

import dev.secretstore.crypto.PublicPoint;

/**
 * Netty user event fired by {@link NoiseTransportHandler} once the connection is authenticated in
 * both directions: on the dialing side when handshake message 2 verified, on the accepting side
 * when the first transport frame from the initiator decrypted (key confirmation).
 */
record PeerAuthenticated(PublicPoint remoteStatic) {
}
