package dev.secretstore.protocol.session.resolution;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The recovery path of the two-phase commit ({@code session/commit}): resolves this node's prepared writes
 * of one key whose session ended without the master's decision (a crash, a lost connection; SEC-25 "on
 * restart they are resolved with the master (commit or discard)"). It covers every kind of prepared write:
 * a new key (generation, or a node added by a servers set change), a document key, and a new version of
 * a servers set change.
 *
 * <p>The rule: a master decides commit only after every member prepared, and its decision is a durable
 * commit somewhere, so
 * <ul>
 *   <li><b>committed anywhere → commit</b>: some other member has committed what this node prepared (the
 *       newest of its committed versions that lists this node is one this node lacks, or it has the document
 *       key this node lacks);</li>
 *   <li><b>every other member answered, none committed it and none still runs a session that may write the
 *       key → discard</b>: no master decided commit, and none can any more;</li>
 *   <li>otherwise (a member unreachable or still deciding) the row stays pending and is tried again later.</li>
 * </ul>
 * The connected members are asked; the ones that are down cannot make it commit any later than the others
 * can, so a commit found among the connected ones is taken at once (a member that missed the decision is not
 * held up by another member being down, SEC-40), while a discard waits until every member answered.
 * A node has at most one undecided prepared write per key: sessions do not prepare over an unresolved row.
 */
public final class PendingResolutionSession extends AbstractSession<PendingResolutionSession.Outcome> {
    private static final Logger LOG = Logger.getLogger(PendingResolutionSession.class.getName());

    /** What happened to the prepared write. */
    public enum Outcome { COMMITTED, DISCARDED, UNRESOLVED }

    private final KeyStorage storage;
    private final H256 keyId;
    private final Set<NodeId> awaiting = new HashSet<>();
    private boolean someoneUndecided;
    /** Some member was not connected when the query went out: no discard this time. */
    private boolean someoneUnasked;

    private PendingResolutionSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                     H256 keyId) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.keyId = keyId;
    }

    /** Starts resolution of {@code keyId}'s prepared write on this node. May finish at once. */
    public static PendingResolutionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage, H256 keyId) {
        PendingResolutionSession session = new PendingResolutionSession(key, cluster.self(), cluster.members(), outbox, storage, keyId);
        if (!storage.pendingKeyIds().contains(keyId)) {
            session.succeed(Outcome.UNRESOLVED); // nothing to resolve
            return session;
        }
        for (NodeId member : cluster.members()) {
            if (member.equals(cluster.self())) continue;
            if (cluster.isConnected(member)) {
                session.awaiting.add(member);
            } else {
                session.someoneUnasked = true;
            }
        }
        if (session.awaiting.isEmpty() && session.someoneUnasked) {
            session.succeed(Outcome.UNRESOLVED); // nobody to ask now
            return session;
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
        someoneUndecided |= status.undecided();
        if (committedThere(storage.metadata(keyId), status)) {
            decide(true);
        } else if (awaiting.isEmpty()) {
            if (someoneUndecided || someoneUnasked) {
                succeed(Outcome.UNRESOLVED); // a member may still commit, or an unasked one may have: ask again later
            } else {
                decide(false);
            }
        }
    }

    /** "Committed anywhere": the peer has committed a version or document key of this node's that this node only prepared. */
    static boolean committedThere(Optional<KeyMetadata> mine, ResolutionMessage.Status status) {
        List<H256> theirs = status.versionsHeldByAsker();
        if (mine.isEmpty()) return !theirs.isEmpty();
        if (!theirs.isEmpty() && mine.get().version(theirs.get(theirs.size() - 1)).isEmpty()) return true;
        return mine.get().documentKey().isEmpty() && status.documentKeyCommitted();
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
        LOG.info(() -> "prepared write of key " + keyId + " "
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
            Optional<KeyMetadata> key = storage.metadata(q.keyId()); // never unseals a share
            List<H256> held = key.map(k -> k.versions().stream().filter(v -> v.isHolder(from))
                    .map(VersionMetadata::id).toList()).orElse(List.of());
            outbox.send(from, new ResolutionMessage.Status(held, key.flatMap(KeyMetadata::documentKey).isPresent(),
                    sessions.isWriting(q.keyId())));
            succeed(Outcome.UNRESOLVED);
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            succeed(Outcome.UNRESOLVED);
        }
    }
}
