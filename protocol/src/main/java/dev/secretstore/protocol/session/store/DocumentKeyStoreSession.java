package dev.secretstore.protocol.session.store;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * HTTP endpoint 2: store the encrypted document key (C, E) on every holder of a server key
 * (http-api.md §6.2, crypto.md §10.4), committed everywhere or nowhere (design decision 6, SEC-25).
 *
 * <p>Master: checks in Parity's order (unknown key → 404, already stored → 400, not the author → 403),
 * requires every holder connected, prepares locally, asks every holder to check and prepare, and
 * commits once all prepared; any refusal, disconnection or stall aborts and discards everywhere.
 * Holder: the same checks against its own storage, then prepare; commit or discard on the master's word.
 * A holder whose master vanishes after it prepared keeps the prepared row invisible until it is
 * resolved with the master (it never answers requests from it).
 */
public final class DocumentKeyStoreSession extends AbstractSession<Void> {
    private static final Logger LOG = Logger.getLogger(DocumentKeyStoreSession.class.getName());

    private enum State { PREPARING, COMMITTED, FAILED }

    private final KeyStorage storage;
    private final H256 keyId;
    private final Set<NodeId> prepared = new HashSet<>();
    private State state = State.PREPARING;
    private boolean preparedLocally;

    private DocumentKeyStoreSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox,
                                    KeyStorage storage, H256 keyId) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.keyId = keyId;
    }

    /** Starts the session on the master. The returned session may already be finished (local checks failed, or a single holder). */
    public static DocumentKeyStoreSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                      H256 keyId, Address requester, DocumentKey documentKey) {
        Optional<KeyShare> share = storage.get(keyId);
        Set<NodeId> holders = share.map(s -> s.latestVersion().idNumbers().keySet()).orElse(Set.of(cluster.self()));
        DocumentKeyStoreSession session = new DocumentKeyStoreSession(key, cluster.self(), holders, outbox, storage, keyId);
        Optional<Kind> refusal = check(share, requester);
        if (refusal.isPresent()) {
            session.fail(SecretStoreException.of(refusal.get()));
            return session;
        }
        for (NodeId holder : holders) {
            if (!cluster.isConnected(holder)) {
                session.fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
                return session;
            }
        }
        storage.prepareDocumentKey(keyId, documentKey);
        session.preparedLocally = true;
        session.prepared.add(cluster.self());
        session.broadcast(new StoreMessage.Init(keyId, requester, documentKey.commonPoint(), documentKey.encryptedPoint()));
        session.maybeCommit();
        return session;
    }

    /** Creates the holder's side from the master's {@link StoreMessage.Init}; the init itself is then delivered as a message. */
    public static Optional<DocumentKeyStoreSession> slave(SessionKey key, NodeId self, Outbox outbox, KeyStorage storage,
                                                          StoreMessage.Init init) {
        Set<NodeId> participants = storage.get(init.keyId())
                .map(s -> s.latestVersion().idNumbers().keySet())
                .orElse(Set.of(self, key.master()));
        if (!participants.contains(key.master()) || !participants.contains(self)) {
            return Optional.empty();
        }
        return Optional.of(new DocumentKeyStoreSession(key, self, participants, outbox, storage, init.keyId()));
    }

    /** The factory the session manager uses to create the holder's side. */
    public static dev.secretstore.protocol.session.ClusterSessions.SlaveFactory factory(NodeId self, KeyStorage storage) {
        return (init, outbox) -> init.body() instanceof StoreMessage.Init m
                ? slave(init.key(), self, outbox, storage, m).map(s -> s)
                : Optional.empty();
    }

    /** Parity's check order for a store (http-api.md §6.2). */
    static Optional<Kind> check(Optional<KeyShare> share, Address requester) {
        if (share.isEmpty()) return Optional.of(Kind.SERVER_KEY_IS_NOT_FOUND);
        if (share.get().documentKey().isPresent()) return Optional.of(Kind.DOCUMENT_KEY_ALREADY_STORED);
        if (!share.get().author().equals(requester)) return Optional.of(Kind.ACCESS_DENIED);
        return Optional.empty();
    }

    @Override
    public Optional<H256> writesKey() {
        return isFinished() ? Optional.empty() : Optional.of(keyId);
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof StoreMessage m)) return;
        if (isMaster()) {
            onMasterMessage(from, m);
        } else if (from.equals(key.master())) {
            onHolderMessage(m);
        }
    }

    private void onMasterMessage(NodeId from, StoreMessage m) {
        if (m instanceof StoreMessage.Prepared) {
            prepared.add(from);
            maybeCommit();
        } else if (m instanceof StoreMessage.Refused r) {
            fail(SecretStoreException.of(r.reason() == null ? Kind.INVALID_MESSAGE : r.reason()));
        }
        // holders never send the master's messages; anything else is ignored
    }

    private void onHolderMessage(StoreMessage m) {
        if (m instanceof StoreMessage.Init init) {
            if (preparedLocally) return; // duplicate
            Optional<Kind> refusal = check(storage.get(keyId), init.requester());
            if (refusal.isPresent()) {
                outbox.send(key.master(), new StoreMessage.Refused(refusal.get()));
                fail(SecretStoreException.of(refusal.get()));
                return;
            }
            storage.prepareDocumentKey(keyId, new DocumentKey(init.commonPoint(), init.encryptedPoint()));
            preparedLocally = true;
            outbox.send(key.master(), new StoreMessage.Prepared());
        } else if (m instanceof StoreMessage.Commit) {
            if (!preparedLocally) return;
            storage.commit(keyId);
            state = State.COMMITTED;
            succeed(null);
        } else if (m instanceof StoreMessage.Abort) {
            if (preparedLocally) {
                storage.discard(keyId);
                preparedLocally = false;
            }
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
        }
    }

    private void maybeCommit() {
        if (state == State.PREPARING && prepared.containsAll(participants)) {
            storage.commit(keyId);
            state = State.COMMITTED;
            broadcast(new StoreMessage.Commit());
            succeed(null);
        }
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isMaster() || node.equals(key.master())) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        }
    }

    @Override
    protected void onFailure(SecretStoreException error) {
        state = State.FAILED;
        if (isMaster()) {
            if (preparedLocally) storage.discard(keyId);
            broadcast(new StoreMessage.Abort());
        } else if (preparedLocally) {
            // The master may have committed already; keep the prepared row (invisible) until resolved with it.
            LOG.warning(() -> "store session " + key + " ended before the master's decision; prepared document key for "
                    + keyId + " awaits resolution");
        }
    }
}
