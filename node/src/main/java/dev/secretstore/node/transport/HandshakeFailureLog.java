package dev.secretstore.node.transport;

import io.netty.channel.Channel;
import java.lang.System.Logger.Level;

/**
 * Where the pipeline reports a connection it closes before authentication. For accepted
 * connections the transport counts them into one summary line per interval ({@link RefusalLog},
 * SEC-36); for connections this node dials (to configured members, with backoff) one line each.
 */
@FunctionalInterface
interface HandshakeFailureLog {
    /** {@code detail} names lengths, states, public key prefixes, never key material. */
    void closing(Channel channel, Refusal reason, String detail);

    /** One WARNING line per failure. */
    static HandshakeFailureLog perLine(System.Logger log) {
        return (ch, reason, detail) -> log.log(Level.WARNING, "closing connection {0}: {1}", ch.remoteAddress(), detail);
    }
}
