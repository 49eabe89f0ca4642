package dev.secretstore.protocol.session.commit;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyStorage;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A member's role in one two-phase commit (SEC-25). Rules:
 *
 * <ul>
 *   <li>A member that <b>failed to prepare</b> (its storage threw) tells the master with a refusal carrying
 *       the error kind; the master then aborts everywhere ({@link CommitMaster#abort}).</li>
 *   <li>A member that <b>prepared</b> accepts only the master's decision: the master's {@code Commit}
 *       (commit, then acknowledge) or the master's {@code Abort} (discard). An abort from anyone else is
 *       ignored.</li>
 *   <li>A prepared member whose session <b>ends without a decision</b> (master lost, stall) keeps its rows
 *       invisible; the recovery path ({@code session/resolution}) decides them with the other members.</li>
 * </ul>
 */
public final class CommitMember {
    private static final Logger LOG = Logger.getLogger(CommitMember.class.getName());

    /** How the owning session reports to the master. */
    public interface Wire {
        /** Prepared durably. */
        void prepared();

        /** Could not prepare; the master aborts. */
        void refused(Kind reason);

        /** Committed what the master decided. */
        void committed();
    }

    /** Where this member stands. */
    public enum State { IDLE, PREPARED, COMMITTED, ABORTED, ORPHANED }

    private final KeyStorage storage;
    private final NodeId master;
    private final Wire wire;
    private final Set<H256> prepared = new HashSet<>();
    private State state = State.IDLE;

    public CommitMember(KeyStorage storage, NodeId master, Wire wire) {
        this.storage = storage;
        this.master = master;
        this.wire = wire;
    }

    public State state() {
        return state;
    }

    public boolean isPrepared() {
        return state == State.PREPARED;
    }

    /** The key ids this member may still commit or discard (its prepared, undecided writes). */
    public Set<H256> writeSet() {
        return state == State.PREPARED ? Set.copyOf(prepared) : Set.of();
    }

    /**
     * Runs the durable prepare of {@code keys} and reports {@code Prepared}. A storage error is reported to
     * the master as a refusal with its kind and rethrown, so the session fails with it. When {@code Prepared} cannot
     * be sent (the member's audit line cannot be written, SEC-29: it refuses instead) the prepared writes are
     * discarded, since the master cannot decide them, and the error is rethrown.
     */
    public void prepare(Set<H256> keys, Runnable write) {
        try {
            write.run();
        } catch (SecretStoreException e) {
            state = State.ABORTED;
            wire.refused(e.kind());
            throw e;
        }
        markPrepared(keys);
        try {
            wire.prepared();
        } catch (SecretStoreException e) {
            discardPrepared();
            throw e;
        }
    }

    /** Records writes the session prepared itself (several keys, some of which may have failed); the session reports. */
    public void markPrepared(Set<H256> keys) {
        prepared.addAll(keys);
        state = prepared.isEmpty() ? State.IDLE : State.PREPARED;
    }

    /**
     * The master's decision: commit {@code keys}, discard the rest of what was prepared, acknowledge.
     * Returns false (nothing done) if it is not from the master or nothing is undecided.
     */
    public boolean onCommit(NodeId from, Set<H256> keys) {
        if (!from.equals(master) || (state != State.PREPARED && state != State.IDLE)) return false;
        for (H256 id : prepared) {
            if (keys.contains(id)) storage.commit(id);
            else storage.discard(id);
        }
        prepared.clear();
        state = State.COMMITTED;
        wire.committed();
        return true;
    }

    /**
     * An abort. Returns true if this member must end: from the master always (prepared writes are
     * discarded), from another node only while nothing is prepared.
     */
    public boolean onAbort(NodeId from) {
        if (state == State.PREPARED && !from.equals(master)) return false;
        discardPrepared();
        return true;
    }

    /** The session ended. Prepared, undecided writes stay for the recovery path unless the master aborted. */
    public void end(String session) {
        if (state == State.PREPARED) {
            state = State.ORPHANED;
            LOG.warning(() -> session + " ended before the master's decision; prepared write(s) of " + prepared
                    + " await resolution with the other members");
        }
    }

    private void discardPrepared() {
        for (H256 id : prepared) storage.discard(id);
        prepared.clear();
        state = State.ABORTED;
    }

    /**
     * The error a node reports for an abort or refusal of kind {@code reason} received from another node:
     * the same kind, so a member's disk error reaches the client as {@code DATABASE}; other kinds that carry
     * a detail text are reported as {@code INVALID_MESSAGE} (no text crosses from another node).
     */
    public static SecretStoreException reported(Kind reason) {
        if (reason == Kind.DATABASE) return SecretStoreException.of(Kind.DATABASE, "a member could not write its key storage");
        if (reason == null || reason.hasDetail()) return SecretStoreException.of(Kind.INVALID_MESSAGE);
        return SecretStoreException.of(reason);
    }
}
