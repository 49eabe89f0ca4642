package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.VersionMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The master's side of the ACL consensus of a key-use request, as pure state: the candidate key
 * versions, every asked node's vote and the versions it holds committed, and who was excluded or lost.
 * {@link #choose()} turns that into the next step.
 *
 * <p><b>Version choice</b> (issue #12 defect 1, SEC-26). A request never uses a version that some
 * member of its group does not hold committed: the group of a version is drawn only from yes-sayers that
 * reported it committed. Candidates are the master's committed versions, newest first; the newest one
 * that can still gather {@code groupSize} such yes-sayers is waited for, and an older one is used when the
 * newer ones cannot.
 *
 * <p><b>Why it failed.</b> When no candidate can gather a group any more, the request is
 * {@code CONSENSUS_TEMPORARY_UNREACHABLE} if it could have with the nodes that are disconnected or went
 * silent (issue #12 defect 5: a lost peer is not an ACL refusal), otherwise {@code CONSENSUS_UNREACHABLE}
 * (members said no, lack the key, or were blamed).
 */
public final class AclConsensus {
    /** What the request does next. */
    public sealed interface Choice {}

    /** Start an attempt with this version and these members (ascending node id). */
    public record Ready(VersionMetadata version, List<NodeId> group) implements Choice {
        public Ready {
            group = List.copyOf(group);
        }
    }

    /** Votes still outstanding could complete a group of the preferred version. */
    public record Waiting() implements Choice {}

    /** No candidate can gather a group any more: end with {@code kind}. */
    public record Unreachable(Kind kind) implements Choice {}

    private final List<VersionMetadata> candidates;
    private final Set<NodeId> asked;
    private final int groupSize;
    private final SortedSet<NodeId> yes = new TreeSet<>();
    private final Set<NodeId> no = new HashSet<>();
    private final Map<NodeId, Set<H256>> committed = new HashMap<>();
    private final Set<NodeId> excluded = new HashSet<>();
    private final Set<NodeId> lost = new HashSet<>();

    /**
     * @param candidates versions the request may use, newest first (see {@link #candidates})
     * @param asked every node asked, the master included
     */
    public AclConsensus(List<VersionMetadata> candidates, Set<NodeId> asked, int groupSize) {
        this.candidates = List.copyOf(candidates);
        this.asked = Set.copyOf(asked);
        this.groupSize = groupSize;
    }

    /** The master's committed versions with at least {@code groupSize} holders that the session can use, newest first. */
    public static List<VersionMetadata> candidates(KeyMetadata key, int groupSize, Predicate<VersionMetadata> usable) {
        List<VersionMetadata> out = new ArrayList<>();
        List<VersionMetadata> versions = key.versions();
        for (int i = versions.size() - 1; i >= 0; i--) {
            VersionMetadata v = versions.get(i);
            if (v.idNumbers().size() >= groupSize && usable.test(v)) out.add(v);
        }
        return out;
    }

    public List<VersionMetadata> candidateVersions() {
        return candidates;
    }

    /**
     * Records {@code node}'s vote and the versions it holds committed (only candidates that name it as a
     * holder count). A yes without any such version counts as no. False for a repeated vote or an
     * excluded node.
     */
    public boolean record(NodeId node, boolean allowed, Collection<H256> holds) {
        if (yes.contains(node) || no.contains(node) || excluded.contains(node)) return false;
        Set<H256> valid = new HashSet<>();
        for (VersionMetadata v : candidates) {
            if (holds.contains(v.id()) && v.isHolder(node)) valid.add(v.id());
        }
        committed.put(node, valid);
        (allowed && !valid.isEmpty() ? yes : no).add(node);
        return true;
    }

    /** True once {@code node} voted (yes or no). */
    public boolean voted(NodeId node) {
        return yes.contains(node) || no.contains(node);
    }

    /** {@code node} said yes, holds {@code version} committed (by its own report) and is not excluded. */
    public boolean approved(NodeId node, H256 version) {
        return yes.contains(node) && !excluded.contains(node) && committed.get(node).contains(version);
    }

    /**
     * The group a master presumes before the other votes (one round trip, issue #18): for the newest candidate, this
     * node ({@code self}, whose own vote said yes with it) and the lowest node ids among the other asked holders that
     * are not excluded and did not already vote against it (no, or without that version), {@code groupSize} in all,
     * ascending; empty if there are not enough of them.
     */
    public Optional<Ready> presume(NodeId self) {
        if (candidates.isEmpty()) return Optional.empty();
        VersionMetadata v = candidates.get(0);
        if (!approved(self, v.id())) return Optional.empty();
        SortedSet<NodeId> group = new TreeSet<>();
        group.add(self);
        for (NodeId holder : v.idNumbers().keySet()) { // ascending node id
            if (group.size() >= groupSize) break;
            if (asked.contains(holder) && !excluded.contains(holder) && (!voted(holder) || approved(holder, v.id()))) group.add(holder);
        }
        return group.size() == groupSize ? Optional.of(new Ready(v, new ArrayList<>(group))) : Optional.empty();
    }

    /** Excludes a node that misbehaved or refused: it takes no part in any later group. False if it already was excluded. */
    public boolean exclude(NodeId node) {
        return excluded.add(node);
    }

    /** Excludes a node that was lost (disconnected, silent): as {@link #exclude}, but a failure it causes is temporary. */
    public boolean lose(NodeId node) {
        boolean added = excluded.add(node);
        if (added) lost.add(node);
        return added;
    }

    /** The excluded nodes (a copy). */
    public Set<NodeId> excluded() {
        return Set.copyOf(excluded);
    }

    /** The next step: a group for the newest version that has one, waiting, or the end (see the class comment). */
    public Choice choose() {
        for (VersionMetadata v : candidates) {
            List<NodeId> ready = readyHolders(v);
            if (ready.size() >= groupSize) return new Ready(v, ready.subList(0, groupSize));
            int undecided = 0;
            for (NodeId holder : v.idNumbers().keySet()) {
                if (asked.contains(holder) && !yes.contains(holder) && !no.contains(holder) && !excluded.contains(holder)) undecided++;
            }
            if (ready.size() + undecided >= groupSize) return new Waiting();
        }
        boolean temporary = temporary(true);
        // Outstanding votes decide which of the two it is (a refusal or not): wait for them.
        if (temporary != temporary(false)) return new Waiting();
        return new Unreachable(temporary ? Kind.CONSENSUS_TEMPORARY_UNREACHABLE : Kind.CONSENSUS_UNREACHABLE);
    }

    /** Yes-sayers holding {@code v} committed, not excluded, ascending node id. */
    private List<NodeId> readyHolders(VersionMetadata v) {
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : yes) {
            if (!excluded.contains(n) && committed.get(n).contains(v.id())) out.add(n);
        }
        return out;
    }

    /**
     * Whether some candidate would still have a group if every lost or unreachable holder came back: holders
     * that neither said no, nor were blamed, nor said yes without holding it; asked holders that have not
     * voted yet count only with {@code countUndecided}.
     */
    private boolean temporary(boolean countUndecided) {
        for (VersionMetadata v : candidates) {
            int possible = 0;
            for (NodeId holder : v.idNumbers().keySet()) {
                if (no.contains(holder)) continue;
                boolean undecided = asked.contains(holder) && !yes.contains(holder) && !excluded.contains(holder);
                if (undecided && !countUndecided) continue;
                if (excluded.contains(holder) && !lost.contains(holder)) continue;
                if (yes.contains(holder) && !committed.get(holder).contains(v.id())) continue;
                possible++;
            }
            if (possible >= groupSize) return true;
        }
        return false;
    }
}
