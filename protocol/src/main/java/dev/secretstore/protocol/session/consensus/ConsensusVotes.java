package dev.secretstore.protocol.session.consensus;

import dev.secretstore.protocol.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The master's bookkeeping for a consensus of key holders (decryption and signing): who said yes, who
 * said no, and who was excluded for a failed, refused or missing contribution (identifiable abort,
 * crypto.md §11.3). Pure state; the sessions decide what to do with it.
 */
public final class ConsensusVotes {
    private final SortedSet<NodeId> yes = new TreeSet<>();
    private final Set<NodeId> no = new HashSet<>();
    private final Set<NodeId> excluded = new HashSet<>();

    /** Records a vote; false (and nothing changes) for a node that already voted or was excluded. */
    public boolean record(NodeId node, boolean allowed) {
        if (yes.contains(node) || no.contains(node) || excluded.contains(node)) return false;
        (allowed ? yes : no).add(node);
        return true;
    }

    /** A node that takes no part in the vote (the master when it does not hold the key). */
    public void abstain(NodeId node) {
        no.add(node);
    }

    /** Excludes a node from every later group; false if it already was. */
    public boolean exclude(NodeId node) {
        return excluded.add(node);
    }

    public boolean isExcluded(NodeId node) {
        return excluded.contains(node);
    }

    /** The excluded nodes (a copy). */
    public Set<NodeId> excluded() {
        return Set.copyOf(excluded);
    }

    /** Yes-sayers not excluded, in ascending node id order. */
    public List<NodeId> available() {
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : yes) {
            if (!excluded.contains(n)) out.add(n);
        }
        return out;
    }

    /** Whether {@code needed} usable yes votes can still happen among {@code participants}. */
    public boolean reachable(Collection<NodeId> participants, int needed) {
        int undecided = 0;
        for (NodeId n : participants) {
            if (!yes.contains(n) && !no.contains(n) && !excluded.contains(n)) undecided++;
        }
        return available().size() + undecided >= needed;
    }
}
