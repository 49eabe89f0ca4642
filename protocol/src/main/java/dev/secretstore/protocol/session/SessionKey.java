package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;

/** Identifies one session cluster-wide. */
public record SessionKey(SessionType type, H256 sessionId, NodeId master) {
    @Override
    public String toString() {
        return type + "/" + sessionId.toHex().substring(0, 16) + "@" + master.shortId();
    }
}
