package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Key-version negotiation (SEC-40): the entry node asks every connected member what it holds committed of a
 * key ({@link DelegationMessage.Query}) and collects the answers. It ends when every member asked answered or
 * was lost, or at the stall timeout with what it has; it never fails. Members answer from
 * {@link KeyStorage#metadata} (nothing unsealed) and end at once ({@link Responder}).
 */
public final class NegotiationSession extends AbstractSession<Map<NodeId, DelegationMessage.Held>> {
    private final Set<NodeId> awaiting = new HashSet<>();
    private final Map<NodeId, DelegationMessage.Held> reports = new TreeMap<>();

    private NegotiationSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox) {
        super(key, self, participants, outbox);
    }

    /** Asks every member connected now; may finish at once (nobody connected). */
    public static NegotiationSession start(SessionKey key, ClusterView cluster, Outbox outbox, H256 keyId, Endpoint endpoint) {
        Set<NodeId> asked = new TreeSet<>(cluster.connected());
        asked.remove(cluster.self());
        Set<NodeId> participants = new TreeSet<>(asked);
        participants.add(cluster.self());
        NegotiationSession session = new NegotiationSession(key, cluster.self(), participants, outbox);
        session.awaiting.addAll(asked);
        if (asked.isEmpty()) {
            session.succeed(Map.of());
        } else {
            session.broadcast(new DelegationMessage.Query(keyId, endpoint));
        }
        return session;
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !awaiting.contains(from)) return;
        if (message instanceof DelegationMessage.Held held) {
            reports.put(from, held);
        } else if (!(message instanceof DelegationMessage.NotHeld)) {
            return;
        }
        awaiting.remove(from);
        if (awaiting.isEmpty()) succeed(Map.copyOf(reports));
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (awaiting.remove(node) && awaiting.isEmpty()) succeed(Map.copyOf(reports));
    }

    @Override
    public void onTimeout() {
        succeed(Map.copyOf(reports)); // the silent ones count as not holding it
    }

    /** A member's side: one report from its committed metadata, then the session ends. */
    static final class Responder extends AbstractSession<Void> {
        private final KeyStorage storage;

        Responder(SessionKey key, NodeId self, Outbox outbox, KeyStorage storage) {
            super(key, self, Set.of(self, key.master()), outbox);
            this.storage = storage;
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
            if (isFinished() || !(message instanceof DelegationMessage.Query q) || !from.equals(key.master())) return;
            outbox.send(from, report(storage.metadata(q.keyId()), q.endpoint()));
            succeed(null);
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            succeed(null);
        }

        @Override
        public void onTimeout() {
            succeed(null);
        }
    }

    /** What a member reports of its committed metadata of a key for {@code endpoint}. */
    static DelegationMessage report(Optional<KeyMetadata> key, Endpoint endpoint) {
        return key.<DelegationMessage>map(k -> held(k, endpoint)).orElseGet(DelegationMessage.NotHeld::new);
    }

    /** The report of a node that holds the key. */
    static DelegationMessage.Held held(KeyMetadata k, Endpoint endpoint) {
        return new DelegationMessage.Held(k.author(), k.threshold(), k.publicKey(), k.documentKey().isPresent(), endpoint.usable(k));
    }
}
