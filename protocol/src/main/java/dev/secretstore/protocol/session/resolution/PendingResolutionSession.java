package dev.secretstore.protocol.session.resolution;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Resolves a prepared write whose session ended without the master's decision (a crash, a lost
 * connection): SEC-25 "on restart they are resolved with the master (commit or discard)".
 *
 * <p>A master commits only after every participant prepared, so: if any other member has the write
 * committed, the master committed it and this node commits too; if every other member answers that
 * it has not, and none of them still runs a session that could change the key, no master committed
 * it (the request never succeeded) and this node discards it; if some member cannot be asked, or is
 * still deciding, the write stays pending and is tried again later. Only new keys and
 * document keys are resolved here; prepared key versions (membership change) are left alone.
 */
public final class PendingResolutionSession extends AbstractSession<PendingResolutionSession.Outcome> {
    private static final Logger LOG = Logger.getLogger(PendingResolutionSession.class.getName());

    /** What happened to the prepared write. */
    public enum Outcome { COMMITTED, DISCARDED, UNRESOLVED }

    private enum Pending { NEW_KEY, DOCUMENT_KEY }

    private final KeyStorage storage;
    private final H256 keyId;
    private final Pending pending;
    private final Set<NodeId> awaiting = new HashSet<>();
    private boolean someoneUndecided;

    private PendingResolutionSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                     H256 keyId, Pending pending) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.keyId = keyId;
        this.pending = pending;
    }

    /** Starts resolution of {@code keyId}'s prepared write on this node. May finish at once. */
    public static PendingResolutionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage, H256 keyId) {
        Optional<KeyShare> committed = storage.get(keyId);
        Pending pending = committed.isEmpty() ? Pending.NEW_KEY : committed.get().documentKey().isEmpty() ? Pending.DOCUMENT_KEY : null;
        PendingResolutionSession session = new PendingResolutionSession(key, cluster.self(), cluster.members(), outbox, storage, keyId,
                pending == null ? Pending.NEW_KEY : pending);
        if (pending == null || !storage.pendingKeyIds().contains(keyId)) {
            session.succeed(Outcome.UNRESOLVED); // nothing this session resolves (e.g. a prepared version)
            return session;
        }
        for (NodeId member : cluster.members()) {
            if (member.equals(cluster.self())) continue;
            if (!cluster.isConnected(member)) {
                session.succeed(Outcome.UNRESOLVED);
                return session;
            }
            session.awaiting.add(member);
        }
        if (session.awaiting.isEmpty()) {
            // A single-member cluster commits right after preparing; a row still pending means the
            // request never succeeded.
            session.decide(false);
            return session;
        }
        session.broadcast(new ResolutionMessage.Query(keyId));
        return session;
    }

    /** The responder side: answers one query from its committed state and its running sessions, and ends. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, ClusterSessions sessions) {
        return (init, outbox) -> {
            if (!(init.body() instanceof ResolutionMessage.Query)) return Optional.empty();
            return Optional.of(new Responder(init.key(), cluster.self(), Set.of(cluster.self(), init.master()), outbox, storage, sessions));
        };
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof ResolutionMessage.Status status) || !awaiting.remove(from)) return;
        boolean committedThere = pending == Pending.NEW_KEY ? status.keyCommitted() : status.documentKeyCommitted();
        someoneUndecided |= status.undecided();
        if (committedThere) {
            decide(true);
        } else if (awaiting.isEmpty()) {
            if (someoneUndecided) {
                succeed(Outcome.UNRESOLVED); // a member may still commit: ask again later
            } else {
                decide(false);
            }
        }
    }

    private void decide(boolean commit) {
        if (!storage.pendingKeyIds().contains(keyId)) {
            succeed(Outcome.UNRESOLVED);
            return;
        }
        if (commit) {
            storage.commit(keyId);
        } else {
            storage.discard(keyId);
        }
        LOG.info(() -> "prepared " + (pending == Pending.NEW_KEY ? "key" : "document key") + " " + keyId + " "
                + (commit ? "committed: another member has it committed" : "discarded: no member has it committed"));
        succeed(commit ? Outcome.COMMITTED : Outcome.DISCARDED);
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (awaiting.contains(node)) succeed(Outcome.UNRESOLVED);
    }

    @Override
    public void onTimeout() {
        succeed(Outcome.UNRESOLVED);
    }

    /** Answers a query with this node's committed state. */
    private static final class Responder extends AbstractSession<Outcome> {
        private final KeyStorage storage;
        private final ClusterSessions sessions;

        Responder(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage, ClusterSessions sessions) {
            super(key, self, participants, outbox);
            this.storage = storage;
            this.sessions = sessions;
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
            if (isFinished() || !(message instanceof ResolutionMessage.Query q) || !from.equals(key.master())) return;
            Optional<KeyShare> share = storage.get(q.keyId());
            outbox.send(from, new ResolutionMessage.Status(share.isPresent(), share.flatMap(KeyShare::documentKey).isPresent(),
                    sessions.isWriting(q.keyId())));
            succeed(Outcome.UNRESOLVED);
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            succeed(Outcome.UNRESOLVED);
        }
    }
}
