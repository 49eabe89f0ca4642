package dev.secretstore.protocol.session;

import dev.secretstore.protocol.NodeId;
import java.util.Set;
import java.util.SortedSet;

/** What sessions may know about the cluster: who we are, the members, and who is connected now. */
public interface ClusterView {
    NodeId self();

    /** All configured members, including self. */
    SortedSet<NodeId> members();

    /** Members with a live authenticated connection, excluding self. */
    Set<NodeId> connected();

    default boolean isConnected(NodeId node) {
        return node.equals(self()) || connected().contains(node);
    }
}
