package dev.secretstore.protocol.session.commit;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyStorage;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The master's role in one two-phase commit over an explicit write-set (SEC-25). The session that owns
 * it does the computation; this object decides and owns the rules:
 *
 * <ul>
 *   <li><b>Decision.</b> The master decides only after every member reported {@code Prepared} (and it
 *       prepared its own writes, if it holds any). Deciding commit makes the master's own writes durable
 *       first; that commit is the decision record the recovery path finds ("committed anywhere → commit").
 *       A decision is final: nothing afterwards aborts it.</li>
 *   <li><b>Abort.</b> Before the decision, any failure (a member's refusal or lost connection, a fault, a
 *       stall) aborts: the master discards its own prepared writes and sends its {@code Abort} to every
 *       node that knows the session, so prepared members discard at once instead of waiting out a timer.</li>
 *   <li><b>Acknowledgement.</b> After the decision each member commits and acknowledges; the session's
 *       result (the client's answer) completes only when every member acknowledged or was lost. A member
 *       lost after the decision keeps its prepared rows and commits them through the recovery path.</li>
 * </ul>
 * Messages are the session's own (one family per session type); {@link Wire} builds and sends them.
 */
public final class CommitMaster {
    /** How the owning session tells members the decision. Sending to self is the session's business. */
    public interface Wire {
        /** Commit these keys of the write-set (the rest is discarded). */
        void commit(NodeId member, Set<H256> keys);

        /** Discard everything prepared in this session. */
        void abort(NodeId node, Kind reason);
    }

    /** Where the commit stands. */
    public enum State { PREPARING, COMMITTING, COMMITTED, ABORTED }

    private final KeyStorage storage;
    private final NodeId self;
    private final Set<H256> writeSet;
    private final Set<NodeId> members;
    private final Set<NodeId> informed;
    private final Wire wire;
    private final Set<NodeId> prepared = new HashSet<>();
    private final Set<NodeId> awaitingAck = new HashSet<>();
    private boolean ownPrepareNeeded;
    private boolean preparedLocally;
    private State state = State.PREPARING;

    /**
     * @param members  the nodes that must prepare and acknowledge; may include {@code self} when the session
     *                 delivers the master's own member messages to itself
     * @param informed every node that may have joined the session; an abort goes to all of them but self
     */
    public CommitMaster(KeyStorage storage, NodeId self, Set<H256> writeSet, Set<NodeId> members, Set<NodeId> informed, Wire wire) {
        this.storage = storage;
        this.self = self;
        this.writeSet = Set.copyOf(writeSet);
        this.members = new TreeSet<>(members);
        this.informed = new TreeSet<>(informed);
        this.wire = wire;
    }

    /** The key ids this commit may still prepare, commit or discard on this node. */
    public Set<H256> writeSet() {
        return state == State.PREPARING || state == State.COMMITTING ? writeSet : Set.of();
    }

    /** True once the master decided commit (its own writes are durable). */
    public boolean isDecided() {
        return state == State.COMMITTING || state == State.COMMITTED;
    }

    /** True when every member acknowledged the commit (or was lost after the decision). */
    public boolean isComplete() {
        return state == State.COMMITTED;
    }

    /**
     * The master's own durable prepare. A storage error propagates: the session fails, and its failure
     * handler calls {@link #abort}.
     */
    public void prepareLocally(Runnable write) {
        if (state != State.PREPARING) throw new IllegalStateException("prepare after the decision");
        ownPrepareNeeded = true;
        write.run();
        preparedLocally = true;
    }

    /** A member's {@code Prepared} (already checked by the session). Returns true if it was new. */
    public boolean onPrepared(NodeId member) {
        return state == State.PREPARING && members.contains(member) && prepared.add(member);
    }

    /** True when every member and the master itself (if it writes) prepared. */
    public boolean allPrepared() {
        return state == State.PREPARING && prepared.containsAll(members) && (preparedLocally || !ownPrepareNeeded);
    }

    /** Decides commit for the whole write-set. */
    public void commit() {
        commit(writeSet);
    }

    /**
     * Decides commit for {@code keys} (a subset of the write-set; the rest is discarded everywhere). The
     * master's own rows are committed first, then every member is told.
     */
    public void commit(Set<H256> keys) {
        if (!allPrepared()) throw new IllegalStateException("commit before every member prepared");
        if (!writeSet.containsAll(keys)) throw new IllegalArgumentException("commit outside the write-set");
        Set<H256> decided = Set.copyOf(keys);
        if (preparedLocally) {
            for (H256 id : writeSet) {
                if (decided.contains(id)) storage.commit(id);
                else storage.discard(id);
            }
        }
        state = State.COMMITTING;
        awaitingAck.addAll(members);
        for (NodeId member : members) wire.commit(member, decided);
        if (awaitingAck.isEmpty()) state = State.COMMITTED;
    }

    /** A member's acknowledgement. Returns true if this completed the commit. */
    public boolean onAck(NodeId member) {
        if (state != State.COMMITTING || !awaitingAck.remove(member)) return false;
        if (awaitingAck.isEmpty()) {
            state = State.COMMITTED;
            return true;
        }
        return false;
    }

    /**
     * Before the decision: {@code member} leaves the commit without aborting it (it went away, or it lacks the
     * key and is repaired later, SEC-40); the session decides whether enough members remain. It stays informed,
     * so an abort still reaches it, and a row it may have prepared is resolved by the recovery path like any
     * member's. Returns false once decided or if it was not a member.
     */
    public boolean excuse(NodeId member) {
        if (state != State.PREPARING || !members.remove(member)) return false;
        prepared.remove(member);
        return true;
    }

    /** Before the decision: the members that have not prepared yet. */
    public Set<NodeId> unprepared() {
        Set<NodeId> out = new TreeSet<>(members);
        if (state == State.PREPARING) out.removeAll(prepared);
        else out.clear();
        return out;
    }

    /** The members that must still prepare (before the decision) or acknowledge (after it), and those that did. */
    public Set<NodeId> members() {
        return Set.copyOf(members);
    }

    /**
     * A member was lost. Before the decision the caller aborts (or {@link #excuse}s it); after it the member's acknowledgement is no
     * longer awaited (its prepared rows are resolved by the recovery path). Returns true if this completed
     * the commit.
     */
    public boolean onMemberLost(NodeId member) {
        if (state != State.COMMITTING) return false;
        awaitingAck.remove(member);
        if (awaitingAck.isEmpty()) {
            state = State.COMMITTED;
            return true;
        }
        return false;
    }

    /**
     * Aborts before the decision: discards the master's own prepared writes and sends its Abort to every
     * informed node. Returns false (and does nothing) once decided: a decision is never undone.
     */
    public boolean abort(Kind reason) {
        if (state != State.PREPARING) return state == State.ABORTED;
        state = State.ABORTED;
        if (preparedLocally) {
            for (H256 id : writeSet) storage.discard(id);
            preparedLocally = false;
        }
        for (NodeId node : informed) {
            if (!node.equals(self)) wire.abort(node, reason);
        }
        return true;
    }
}
