package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;

/**
 * A cluster message as sessions see it: which session (type and id chosen by the master), which
 * master (so two masters can never collide on one id), who sent it, and the body. The transport
 * authenticates the sender; the session manager drops an envelope whose {@code sender} differs from
 * the authenticated peer (SEC-18).
 */
public record Envelope(SessionType type, H256 sessionId, NodeId master, NodeId sender, SessionMessage body) {
    public Envelope {
        if (!body.belongsTo(type)) {
            throw new IllegalArgumentException("message " + body.getClass().getSimpleName() + " does not belong to " + type);
        }
    }

    public SessionKey key() {
        return new SessionKey(type, sessionId, master);
    }
}
