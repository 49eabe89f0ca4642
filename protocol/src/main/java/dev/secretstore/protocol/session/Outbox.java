package dev.secretstore.protocol.session;

import dev.secretstore.protocol.NodeId;

/** Where a session's outgoing messages go. The session manager wraps them into envelopes. */
public interface Outbox {
    void send(NodeId to, SessionMessage message);
}
