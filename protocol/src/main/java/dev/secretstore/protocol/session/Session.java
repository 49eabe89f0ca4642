package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster session: a pure state machine. It reacts to messages from its participants, to a
 * participant's disconnection and to a stall timeout; its only effects are messages through the
 * {@link Outbox} and calls on interfaces it was constructed with (storage, ACL). It never blocks,
 * never starts a thread and never reads a clock (the manager owns time, SEC-19).
 *
 * <p>Every session ends: {@link #onTimeout()}, {@link #onNodeDisconnected(NodeId)} and
 * {@link #onSendFailed(NodeId)} of a needed participant must move it to a finished state (or to a new
 * plan without that participant).
 */
public interface Session {
    SessionKey key();

    /**
     * The write-set: the server keys whose stored state this session may still change (prepare, commit or
     * discard); empty once it can no longer change any. Pending-write resolution leaves these keys alone
     * while the session runs (SEC-25). A servers set change writes many keys.
     */
    default Set<H256> writesKeys() {
        return Set.of();
    }

    /** Nodes this session blamed for a faulty contribution (identifiable abort, crypto.md §11.3); for metrics. */
    default Set<NodeId> blamed() {
        return Set.of();
    }

    /**
     * What this member records about the client request it served, once finished (SEC-29): empty for sessions that
     * serve no client request (repair, refresh, resolution, delegation) and for member sessions that never learned one.
     */
    default Optional<AuditFacts> auditFacts() {
        return Optional.empty();
    }

    /**
     * On the master of a request: how many member round trips it used (requests to other members sent after one of
     * them had answered, or first); zero where not counted. For metrics and the bench (issue #18).
     */
    default int roundTrips() {
        return 0;
    }

    /** The nodes allowed to send messages to this session (SEC-18); the manager drops all others. */
    Set<NodeId> participants();

    /** A message from a participant. Implementations ignore duplicates and messages that do not fit their state. */
    void onMessage(NodeId from, SessionMessage message);

    /** A participant's connection dropped. */
    void onNodeDisconnected(NodeId node);

    /**
     * A message this session sent to participant {@code node} will not arrive (issue #12 defect 6): the
     * transport refused it (not connected, queue full, too large) or lost it with a failing connection. The
     * manager calls this as a step of its own, never from inside the handler that sent the message. The
     * default treats it as that participant's disconnection, so the session blames, re-plans or fails at once
     * instead of waiting for an answer that cannot come until the stall timeout.
     */
    default void onSendFailed(NodeId node) {
        onNodeDisconnected(node);
    }

    /**
     * No progress for the configured stall time: end now. Parity reports a stalled session as a
     * disconnected node, and so does the default.
     */
    default void onTimeout() {
        fail(SecretStoreException.of(SecretStoreException.Kind.NODE_DISCONNECTED));
    }

    /**
     * True when the last {@link #onTimeout()} re-planned without the stalled participants and the session goes on
     * (e.g. a generation that excludes members that did not answer); the manager then restarts its stall timer
     * instead of ending the session.
     */
    default boolean continuesAfterTimeout() {
        return false;
    }

    /** End now with this error (also used by the manager when a handler throws). Idempotent once finished. */
    void fail(SecretStoreException error);

    boolean isFinished();

    /** The error the session ended with, if it failed. */
    Optional<SecretStoreException> failure();
}
