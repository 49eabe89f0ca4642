package dev.secretstore.protocol.session;

import dev.secretstore.protocol.NodeId;

/**
 * Where a session's outgoing messages go. The session manager wraps them into envelopes. A message to
 * this node itself is allowed and follows the one self-delivery rule ({@link ClusterSessions.Network}):
 * it is encoded before {@code send} returns (so the sender may wipe secrets in it right after) and
 * comes back later through the queue, never re-entrantly.
 */
public interface Outbox {
    void send(NodeId to, SessionMessage message);
}
