package dev.secretstore.protocol.session;

import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Test fixture: how every node's sessions ended, as each node's session manager reports them ({@link ClusterSessions#observe}). */
public final class MemberOutcomes {
    private final Map<NodeId, List<Session>> finished = new HashMap<>();

    private MemberOutcomes() {}

    /** Observes every node of {@code cluster} from now on (replaces any other observer). */
    public static MemberOutcomes watch(InMemoryCluster cluster) {
        MemberOutcomes out = new MemberOutcomes();
        for (InMemoryCluster.Node node : cluster.nodes()) {
            node.sessions.observe((session, nanos) -> out.finished.computeIfAbsent(node.id, n -> new ArrayList<>()).add(session));
        }
        return out;
    }

    /** The sessions of {@code type} that {@code node} took part in as a member (mastered by another node), in the order they ended. */
    public List<Session> asMember(NodeId node, SessionType type) {
        return finished.getOrDefault(node, List.of()).stream()
                .filter(s -> s.key().type() == type && !s.key().master().equals(node)).toList();
    }

    /** The culprits {@code node}'s member sessions of {@code type} ended with. */
    public List<Culprit> culprits(NodeId node, SessionType type) {
        List<Culprit> out = new ArrayList<>();
        for (Session s : asMember(node, type)) s.failure().ifPresent(f -> out.addAll(f.culprits()));
        return out;
    }

    /** The nodes {@code node}'s member sessions of {@code type} blamed ({@link Session#blamed()}, what metrics count). */
    public Set<NodeId> blamed(NodeId node, SessionType type) {
        Set<NodeId> out = new TreeSet<>();
        for (Session s : asMember(node, type)) out.addAll(s.blamed());
        return out;
    }
}
