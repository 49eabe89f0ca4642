package dev.secretstore.protocol.session.store;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.CredentialUse;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.commit.CommitMaster;
import dev.secretstore.protocol.session.commit.CommitMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * HTTP endpoint 2: store the encrypted document key (C, E) on every holder of a server key
 * (http-api.md §6.2, crypto.md §10.4), committed everywhere or nowhere through the two-phase commit of
 * {@code session/commit} (design decision 6, SEC-25).
 *
 * <p>Master: checks in Parity's order (unknown key → 404, already stored → 400, not the author → 403),
 * then runs with the holders that are up (SEC-40): the connected holders of the key's latest version, at
 * least {@link Availability#floor(int) max(t+1, generation_min_members)} of them counting itself, else
 * {@code NODE_DISCONNECTED}. It prepares locally, asks those holders to check and prepare, commits once all
 * prepared and answers once every one of them acknowledged its commit (read-your-writes through them). A
 * holder that is lost before the decision, or answers that it does not hold the key yet (it missed the
 * generation; {@code SERVER_KEY_IS_NOT_FOUND}), is left out as long as the floor is still met; holders left
 * out get the document key later from share repair, agreed by t+1 holders. Any other refusal, or a stall
 * before the decision, aborts and discards everywhere.
 * Holder: the same checks against its own storage, then prepare; commit or discard on the master's word.
 *
 * <p><b>Author</b> (SEC-31). The master forwards the requester's own credential; the master and every holder derive
 * the requester from it with their own {@link RequesterCheck} (for endpoint 2 it binds (C, E); for endpoint 3 the
 * threshold) and check that requester is the key's author. A holder that cannot derive one refuses with the check's
 * error kind and ends its side blaming the master ({@link Culprit.Reason#UNAUTHORIZED_REQUEST}).
 */
public final class DocumentKeyStoreSession extends AbstractSession<Void> {
    private final KeyStorage storage;
    private final RequesterCheck requesters;
    private final H256 keyId;
    /** The key as this node read it when the session was created; the checks use it, not a second read. */
    private final Optional<KeyMetadata> stored;
    private boolean initSent;
    private final CommitMaster master;
    private final CommitMember member;
    /** Master: the fewest holders, itself included, the store may commit with. */
    private final int floor;
    /** Master: holders left out for a refusal its own checks contradict, or for silence. */
    private final List<Culprit> culprits = new ArrayList<>();
    /** Holder: the master, if it forwarded a request the requester's credential does not authorize here (SEC-31). */
    private Culprit memberCulprit;
    /** The request as this node knows it, for its audit line (SEC-29). */
    private Operation auditOperation;
    private Optional<String> auditCredential = Optional.empty();
    private dev.secretstore.crypto.Address auditRequester;

    private DocumentKeyStoreSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox,
                                    KeyStorage storage, RequesterCheck requesters, H256 keyId, Optional<KeyMetadata> stored, int floor) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.requesters = requesters;
        this.keyId = keyId;
        this.stored = stored;
        this.floor = floor;
        if (isMaster()) {
            Set<NodeId> holders = new TreeSet<>(participants);
            holders.remove(self);
            this.master = new CommitMaster(storage, self, Set.of(keyId), holders, holders, new CommitMaster.Wire() {
                @Override
                public void commit(NodeId to, Set<H256> keys) {
                    outbox.send(to, new StoreMessage.Commit());
                }

                @Override
                public void abort(NodeId to, Kind reason) {
                    outbox.send(to, new StoreMessage.Abort());
                }
            });
            this.member = null;
        } else {
            this.master = null;
            this.member = new CommitMember(storage, key.master(), new CommitMember.Wire() {
                @Override
                public void prepared() {
                    outbox.send(key.master(), new StoreMessage.Prepared());
                }

                @Override
                public void refused(Kind reason) {
                    outbox.send(key.master(), new StoreMessage.Refused(reason));
                }

                @Override
                public void committed() {
                    outbox.send(key.master(), new StoreMessage.Committed());
                }
            });
        }
    }

    /** Starts the session on the master (endpoint 2), reading the key's metadata. */
    public static DocumentKeyStoreSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                      RequesterCheck requesters, H256 keyId, Requester requester,
                                                      DocumentKey documentKey, Availability availability) {
        return startMaster(key, cluster, outbox, storage, requesters, keyId, requester, Operation.STORE_DOCUMENT_KEY, documentKey,
                availability, storage.metadata(keyId));
    }

    /**
     * Starts the session on the master, with the holders that are up as long as {@code availability}'s floor is met,
     * and the key's metadata the caller already read for this request (public state only: nothing unsealed). The
     * returned session may already be finished (the requester's credential or the local checks failed, or a single
     * holder). {@code operation}: what the requester's credential authorizes, endpoint 2 or 3.
     */
    public static DocumentKeyStoreSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                      RequesterCheck requesters, H256 keyId, Requester requester, Operation operation,
                                                      DocumentKey documentKey, Availability availability, Optional<KeyMetadata> share) {
        Set<NodeId> holders = new TreeSet<>();
        for (NodeId holder : share.map(s -> s.latestVersion().idNumbers().keySet()).orElse(Set.of(cluster.self()))) {
            if (cluster.isConnected(holder)) holders.add(holder);
        }
        int floor = share.map(s -> availability.floor(s.threshold())).orElse(1);
        DocumentKeyStoreSession session = new DocumentKeyStoreSession(key, cluster.self(), holders, outbox, storage, requesters, keyId,
                share, floor);
        session.auditOperation = operation;
        session.auditCredential = dev.secretstore.protocol.session.AuditFacts.credentialKind(requester.credential());
        Optional<Kind> refusal;
        try {
            refusal = share.isEmpty() ? check(share, null) : check(share, session.author(requester.credential(), operation, documentKey));
        } catch (SecretStoreException e) {
            session.fail(e); // the requester's credential does not authorize this store here (SEC-31, SEC-32)
            return session;
        }
        if (refusal.isPresent()) {
            session.fail(SecretStoreException.of(refusal.get()));
            return session;
        }
        if (holders.size() < floor) {
            session.fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return session;
        }
        try {
            session.master.prepareLocally(() -> storage.prepareDocumentKey(keyId, documentKey));
        } catch (SecretStoreException e) {
            session.fail(e);
            return session;
        }
        session.initSent = true;
        session.broadcast(new StoreMessage.Init(keyId, requester.credential(), operation, documentKey.commonPoint(),
                documentKey.encryptedPoint()));
        session.maybeCommit();
        return session;
    }

    /** Creates the holder's side from the master's {@link StoreMessage.Init}; the init itself is then delivered as a message. */
    public static Optional<DocumentKeyStoreSession> slave(SessionKey key, NodeId self, Outbox outbox, KeyStorage storage,
                                                          RequesterCheck requesters, StoreMessage.Init init) {
        Optional<KeyMetadata> stored = storage.metadata(init.keyId());
        Set<NodeId> participants = stored
                .map(s -> s.latestVersion().idNumbers().keySet())
                .orElse(Set.of(self, key.master()));
        if (!participants.contains(key.master()) || !participants.contains(self)) {
            return Optional.empty();
        }
        return Optional.of(new DocumentKeyStoreSession(key, self, participants, outbox, storage, requesters, init.keyId(), stored, 0));
    }

    /** The factory the session manager uses to create the holder's side. */
    public static dev.secretstore.protocol.session.ClusterSessions.SlaveFactory factory(NodeId self, KeyStorage storage,
                                                                                     RequesterCheck requesters) {
        return (init, outbox) -> init.body() instanceof StoreMessage.Init m
                ? slave(init.key(), self, outbox, storage, requesters, m).map(s -> s)
                : Optional.empty();
    }

    /**
     * The requester of {@code credential} for {@code operation} (2 or 3) on this store, as this node's own check
     * derives it, spending a fresh authorization on this request (SEC-31, SEC-32). Endpoint 2 binds (C, E); endpoint
     * 3, whose store follows the generation the master ran for the same request, binds the key's threshold.
     *
     * @throws SecretStoreException the check's error, or {@code INSUFFICIENT_REQUESTER_DATA} for another operation
     */
    private Address author(dev.secretstore.protocol.auth.Credential credential, Operation operation, DocumentKey documentKey) {
        dev.secretstore.crypto.H256 params = switch (operation) {
            case STORE_DOCUMENT_KEY -> Operation.storeParams(documentKey.commonPoint(), documentKey.encryptedPoint());
            case GENERATE_DOCUMENT_KEY -> Operation.thresholdParams(stored.orElseThrow().threshold());
            default -> throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA,
                    "operation " + operation.code() + " does not store a document key");
        };
        auditRequester = requesters.claim(credential, operation, keyId, params, CredentialUse.of(key, operation, keyId)).address();
        return auditRequester;
    }

    /** SEC-29: the store request as this node knows it; the author check stands in for an ACL here, so none is recorded. */
    @Override
    public Optional<dev.secretstore.protocol.session.AuditFacts> auditFacts() {
        if (auditOperation == null) return Optional.empty();
        return Optional.of(new dev.secretstore.protocol.session.AuditFacts(auditOperation.name().toLowerCase(java.util.Locale.ROOT), keyId,
                Optional.ofNullable(auditRequester), auditCredential, Optional.empty(), java.util.OptionalLong.empty()));
    }

    /** Parity's check order for a store (http-api.md §6.2). */
    static Optional<Kind> check(Optional<KeyMetadata> share, Address requester) {
        if (share.isEmpty()) return Optional.of(Kind.SERVER_KEY_IS_NOT_FOUND);
        if (share.get().documentKey().isPresent()) return Optional.of(Kind.DOCUMENT_KEY_ALREADY_STORED);
        if (!share.get().author().equals(requester)) return Optional.of(Kind.ACCESS_DENIED);
        return Optional.empty();
    }

    @Override
    public Set<H256> writesKeys() {
        return isFinished() ? Set.of() : Set.of(keyId);
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof StoreMessage m)) return;
        if (isMaster()) {
            onMasterMessage(from, m);
        } else if (from.equals(key.master())) {
            onHolderMessage(from, m);
        }
    }

    private void onMasterMessage(NodeId from, StoreMessage m) {
        if (m instanceof StoreMessage.Prepared) {
            master.onPrepared(from);
            maybeCommit();
        } else if (m instanceof StoreMessage.Committed) {
            if (master.onAck(from)) succeed(null);
        } else if (m instanceof StoreMessage.Refused r && master.unprepared().contains(from)) { // a holder's first answer counts
            if (r.reason() == Kind.DOCUMENT_KEY_ALREADY_STORED || r.reason() == Kind.DATABASE) {
                // the holder may be right (the master missed an earlier store), or cannot write: fail closed, retryable
                fail(CommitMember.reported(r.reason()));
            } else {
                // it lacks the key (missed the generation: repaired later), or contradicts the master's own checks
                if (r.reason() != Kind.SERVER_KEY_IS_NOT_FOUND) {
                    culprits.add(new Culprit(from, Culprit.Reason.REFUSED, "refused a store the master's checks allow: " + r.reason()));
                }
                leaveOut(from);
            }
        }
        // holders never send the master's messages; anything else is ignored
    }

    private void onHolderMessage(NodeId from, StoreMessage m) {
        if (m instanceof StoreMessage.Init init) {
            if (member.state() != CommitMember.State.IDLE) return; // duplicate
            auditOperation = init.operation();
            auditCredential = dev.secretstore.protocol.session.AuditFacts.credentialKind(init.credential());
            Optional<Kind> refusal;
            try {
                DocumentKey dk = new DocumentKey(init.commonPoint(), init.encryptedPoint());
                refusal = stored.isEmpty() ? check(stored, null) : check(stored, author(init.credential(), init.operation(), dk));
            } catch (SecretStoreException e) {
                refuseUnauthorized(e);
                return;
            }
            if (refusal.isPresent()) {
                outbox.send(key.master(), new StoreMessage.Refused(refusal.get()));
                fail(SecretStoreException.of(refusal.get()));
                return;
            }
            member.prepare(Set.of(keyId), () -> storage.prepareDocumentKey(keyId, new DocumentKey(init.commonPoint(), init.encryptedPoint())));
        } else if (m instanceof StoreMessage.Commit) {
            if (member.isPrepared() && member.onCommit(from, Set.of(keyId))) succeed(null);
        } else if (m instanceof StoreMessage.Abort) {
            if (member.onAbort(from)) fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
        }
    }

    /**
     * Holder: the forwarded credential does not authorize this store here. Refuses with the check's error kind and
     * ends this side blaming the master (SEC-31); a full nonce memory (retryable) blames nobody.
     */
    private void refuseUnauthorized(SecretStoreException e) {
        outbox.send(key.master(), new StoreMessage.Refused(e.kind()));
        if (e.kind() == Kind.TOO_EARLY_FOR_REQUEST) {
            fail(e);
            return;
        }
        Culprit culprit = new Culprit(key.master(), Culprit.Reason.UNAUTHORIZED_REQUEST, "requester's credential refused: " + e.displayText());
        memberCulprit = culprit;
        java.util.logging.Logger.getLogger(DocumentKeyStoreSession.class.getName()).warning(() -> "store of key " + keyId.toHex() + " in "
                + key + ": refused the master's request; blaming " + culprit);
        fail(e.withCulprits(List.of(culprit)));
    }

    /** Before the decision: goes on without {@code holder} if the floor is still met, else fails. */
    private void leaveOut(NodeId holder) {
        if (!master.excuse(holder)) return;
        if (master.members().size() + 1 < floor) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED).withCulprits(culprits));
        } else {
            maybeCommit();
        }
    }

    private void maybeCommit() {
        if (master.allPrepared()) {
            master.commit();
            if (master.isComplete()) succeed(null);
        }
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isMaster() && master.isDecided()) {
            if (master.onMemberLost(node)) succeed(null);
        } else if (isMaster() && initSent) {
            leaveOut(node);
        } else if (isMaster() || node.equals(key.master())) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        }
    }

    /**
     * Master: after the decision, the decision stands (a holder that never acknowledged resolves its row with the
     * others); before it, holders that have not prepared are left out as silent ({@code NO_ANSWER}) and the store
     * commits with the rest if the floor is still met. Holder: the master is gone; its row awaits resolution.
     */
    @Override
    public void onTimeout() {
        if (isMaster() && master.isDecided()) {
            succeed(null);
        } else if (isMaster() && initSent) {
            for (NodeId silent : master.unprepared()) {
                culprits.add(new Culprit(silent, Culprit.Reason.NO_ANSWER, "did not prepare the document key in time"));
                leaveOut(silent);
                if (isFinished()) return;
            }
        } else {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        }
    }

    @Override
    public boolean continuesAfterTimeout() {
        return !isFinished();
    }

    @Override
    public Set<NodeId> blamed() {
        Set<NodeId> out = new TreeSet<>();
        culprits.forEach(c -> out.add(c.node()));
        if (memberCulprit != null) out.add(memberCulprit.node());
        return out;
    }

    @Override
    protected void onFailure(SecretStoreException error) {
        if (isMaster()) {
            if (initSent) master.abort(error.kind());
        } else {
            member.end("store session " + key);
        }
    }
}
