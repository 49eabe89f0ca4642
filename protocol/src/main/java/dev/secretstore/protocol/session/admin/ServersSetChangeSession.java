package dev.secretstore.protocol.session.admin;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.Redistribution;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.InventoryPage;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.OwnShare;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.*;
import dev.secretstore.protocol.session.commit.CommitMaster;
import dev.secretstore.protocol.session.commit.CommitMember;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * HTTP endpoint 9: re-share every key from the old set of servers to the new one (crypto.md §10.9 with
 * the checks of §11.5; SEC-20, SEC-24, SEC-26). Exclusive: while it runs no other session starts
 * ({@link ClusterSessions} refuses them with {@code ExclusiveSessionActive}).
 *
 * <ol>
 *   <li><b>Authorisation.</b> The master sends the administrator's request to every node of the old set
 *       (itself and every connected node). Each node checks for itself that both signatures recover to
 *       its {@code admin_public} and that the signed old set equals its own view (itself and the nodes
 *       connected to it), and refuses otherwise.</li>
 *   <li><b>Inventory.</b> Each node reports the committed versions of every key it holds, in pages.</li>
 *   <li><b>Plan.</b> The master decides per key ({@link SetChangePlanner}) and refuses the whole change,
 *       before anything is written, if a key would be left below {@code t+1} holders (unless
 *       {@code allow_key_loss_on_set_change}).</li>
 *   <li><b>Batches.</b> For each batch of keys, one two-phase commit ({@code session/commit}) whose write-set
 *       is the batch's keys: every dealer sends each new holder its Feldman vector and subshare; every new
 *       holder verifies each dealer (culprit named), combines, checks its own share, prepares the new
 *       version durably and reports; the master decides to commit the keys every new holder prepared and
 *       discard the rest; once all new holders acknowledged, every node removes the older versions of
 *       those keys, and a node outside the new set forgets the key. A version is never overwritten and old
 *       versions go only after every holder of the new one committed it.</li>
 * </ol>
 * A key that fails keeps its old version; the request then fails naming the blamed nodes, and a repeat
 * of the same request re-shares only what is left. A new holder that prepared and lost the master keeps
 * its rows for the recovery path ({@code session/resolution}); it never prepares a key over such an
 * unresolved row (that key fails until it is resolved), so a repeat after resolution completes the change.
 */
public final class ServersSetChangeSession extends AbstractSession<Void> {
    private static final Logger LOG = Logger.getLogger(ServersSetChangeSession.class.getName());

    /** Keys per inventory page and per batch (SEC-20: nothing grows with the number of keys in one message). */
    static final int PAGE = 500;
    static final int BATCH = 100;

    private enum Phase { AUTHORISING, INVENTORY, PREPARING, COMMITTING, CLEANING, DONE }

    private final KeyStorage storage;
    private final AdminPolicy policy;
    private final AdminCheck admin;
    private final SecureRandom rng;
    private final ClusterView cluster;
    private final boolean busy;
    private SortedSet<NodeId> newSet;

    // ---- participant state (every node, the master included)
    private int batch = -1;
    private final Map<H256, KeyPlan> receiving = new LinkedHashMap<>();
    private final Set<NodeId> dealersOfBatch = new HashSet<>();
    private final Map<NodeId, Map<H256, Subshare>> received = new HashMap<>();
    /** This node's member role in the current batch's commit (null before its first plan). */
    private CommitMember member;
    /** The keys of the last plan this node received. */
    private Set<H256> batchKeys = Set.of();
    /** Metadata this node read while dealing the current batch, so a dealer that is also a new holder reads each key once. */
    private final Map<H256, KeyMetadata> readThisBatch = new HashMap<>();
    /** Subshares of a batch whose plan has not arrived yet (the dealer heard the master first). */
    private final Map<NodeId, Subshares> early = new HashMap<>();

    // ---- master state
    private Phase phase = Phase.AUTHORISING;
    private final Map<NodeId, List<KeyEntry>> inventories = new HashMap<>();
    private final Set<NodeId> inventoryDone = new HashSet<>();
    private final List<List<KeyPlan>> reshareBatches = new ArrayList<>();
    private final List<List<Keep>> cleanupBatches = new ArrayList<>();
    private int current = -1;
    private final Map<NodeId, Prepared> preparedBy = new HashMap<>();
    private final Set<NodeId> repliedBy = new HashSet<>();
    private List<Keep> cleaning = List.of();
    /** The master's role in the current batch's commit. */
    private CommitMaster commitMaster;
    private final List<KeyFault> faults = new ArrayList<>();
    private int reshared;
    private boolean doneSent;

    private ServersSetChangeSession(SessionKey key, ClusterView cluster, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                    AdminCheck admin, SecureRandom rng, boolean busy) {
        super(key, cluster.self(), participants, outbox);
        this.cluster = cluster;
        this.storage = storage;
        this.admin = admin;
        this.policy = admin.policy();
        this.rng = rng;
        this.busy = busy;
    }

    /** {@link #startMaster(SessionKey, ClusterView, Outbox, KeyStorage, AdminCheck, byte[], byte[], Optional, Collection, SecureRandom)}
     *  with Parity's bare signatures only, under legacy policy {@code all}. */
    public static ServersSetChangeSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                      AdminPolicy policy, byte[] oldSetSignature, byte[] newSetSignature,
                                                      Collection<NodeId> newServersSet, SecureRandom rng) {
        return startMaster(key, cluster, outbox, storage, AdminCheck.parityCompatible(policy, cluster), oldSetSignature, newSetSignature,
                Optional.empty(), newServersSet, rng);
    }

    /**
     * Starts the change on the master. The old set is this node and every node connected to it. The
     * returned session may already be finished: not authorized by the administrator ({@link AdminCheck}: 403
     * {@code ConsensusUnreachable}, {@code FreshAuthorizationRequired}, 400 for a bad, expired or replayed
     * {@code authorization}) or a node of the new set not connected ({@code NodeDisconnected}). The authorization, if
     * any, travels to every member in {@link Init}, and each member checks it and spends its nonce itself (SEC-32).
     */
    public static ServersSetChangeSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                      AdminCheck admin, byte[] oldSetSignature, byte[] newSetSignature,
                                                      Optional<Authorization> authorization, Collection<NodeId> newServersSet,
                                                      SecureRandom rng) {
        SortedSet<NodeId> oldSet = view(cluster);
        ServersSetChangeSession s = new ServersSetChangeSession(key, cluster, oldSet, outbox, storage, admin, rng, false);
        s.newSet = new TreeSet<>(newServersSet);
        Optional<SecretStoreException> refusal = admin.setChange(oldSet, s.newSet, oldSetSignature, newSetSignature, authorization, key);
        if (refusal.isPresent()) {
            LOG.warning(() -> "servers set change " + key + " refused: " + refusal.get().getMessage() + " (old set " + shortIds(oldSet)
                    + ", new set " + shortIds(s.newSet) + ")");
            s.fail(refusal.get());
        } else if (!oldSet.containsAll(s.newSet)) {
            s.fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        } else {
            LOG.info(() -> "servers set change " + key + " authorised by the administrator" + (authorization.isPresent() ? " (fresh)" : "")
                    + ": old set " + shortIds(oldSet) + ", new set " + shortIds(s.newSet));
            s.phase = Phase.INVENTORY;
            s.broadcast(new Init(List.copyOf(oldSet), List.copyOf(s.newSet), oldSetSignature, newSetSignature,
                    authorization.map(Authorization::toBytes).orElse(new byte[0])));
            s.reportInventory(); // to itself, as every member reports to the master
        }
        return s;
    }

    /** {@link #factory(ClusterView, KeyStorage, AdminCheck, SecureRandom, BooleanSupplier)} under legacy policy {@code all}. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, AdminPolicy policy, SecureRandom rng,
                                                       BooleanSupplier busy) {
        return factory(cluster, storage, AdminCheck.parityCompatible(policy, cluster), rng, busy);
    }

    /** The factory the session manager uses on the other nodes; {@code busy} tells whether other sessions run (SEC-24). */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, AdminCheck admin, SecureRandom rng,
                                                       BooleanSupplier busy) {
        return (init, outbox) -> {
            if (!(init.body() instanceof Init m)) return Optional.empty();
            Set<NodeId> participants = new TreeSet<>(m.oldSet());
            participants.add(init.master());
            participants.add(cluster.self());
            return Optional.of(new ServersSetChangeSession(init.key(), cluster, participants, outbox, storage, admin, rng,
                    busy.getAsBoolean()));
        };
    }

    /** A member's refusal as the master reports it (the wire carries the kind only). */
    private static SecretStoreException refusedBy(NodeId member, Kind reason) {
        if (reason == null) return SecretStoreException.of(Kind.INVALID_MESSAGE);
        if (!reason.hasDetail()) return SecretStoreException.of(reason);
        return SecretStoreException.of(reason, "refused by member " + member.shortId() + " (docs/auth.md §7)");
    }

    private static SortedSet<NodeId> view(ClusterView cluster) {
        SortedSet<NodeId> v = new TreeSet<>(cluster.connected());
        v.add(cluster.self());
        return v;
    }

    private static String shortIds(Collection<NodeId> nodes) {
        return nodes.stream().map(NodeId::shortId).toList().toString();
    }

    // ================================================================== dispatch

    /**
     * The master is also a participant: what it sends itself in either role (inventory, plan, subshares,
     * prepared, commit, cleanup, their replies) goes through the outbox and comes back here through the session
     * manager's queue like any other member's message (the one self-delivery rule of {@link ClusterSessions}).
     */
    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof ServersSetChangeMessage m)) return;
        if (m instanceof Subshares s) {
            onSubshares(from, s);
        } else if (isMaster() && m instanceof Refused r) {
            fail(refusedBy(from, r.reason()));
        } else if (isMaster() && m instanceof Inventory inv) {
            onInventory(from, inv);
        } else if (isMaster() && m instanceof Prepared p) {
            onPrepared(from, p);
        } else if (isMaster() && m instanceof Committed c) {
            onCommitted(from, c);
        } else if (isMaster() && m instanceof CleanedUp c) {
            onReply(from, c.batch(), Phase.CLEANING);
        } else if (from.equals(key.master())) {
            onMasterMessage(m);
        }
    }

    /** Sends to every node of {@code to}, this node included (it gets its copy through the queue). */
    private void sendAll(Collection<NodeId> to, ServersSetChangeMessage m) {
        for (NodeId n : to) outbox.send(n, m);
    }

    // ================================================================== participant

    private void onMasterMessage(ServersSetChangeMessage m) {
        if (m instanceof Init init) {
            onInit(init);
        } else if (m instanceof Plan p) {
            onPlan(p);
        } else if (m instanceof Commit c) {
            onCommit(c);
        } else if (m instanceof Cleanup c) {
            onCleanup(c);
        } else if (m instanceof Done) {
            succeed(null);
        } else if (m instanceof Abort a) {
            if (member != null) member.onAbort(key.master()); // the master's abort: discard what is undecided
            fail(CommitMember.reported(a.reason()));
        }
    }

    private void onInit(Init init) {
        if (newSet != null) return; // duplicate
        newSet = new TreeSet<>(init.newSet());
        SecretStoreException refusal = null;
        if (busy) {
            refusal = SecretStoreException.of(Kind.HAS_ACTIVE_SESSIONS);
        } else {
            Optional<Authorization> authorization;
            try {
                authorization = init.authorization().length == 0 ? Optional.empty() : Optional.of(Authorization.fromBytes(init.authorization()));
            } catch (CryptoException e) {
                authorization = null;
                refusal = SecretStoreException.of(Kind.INVALID_MESSAGE);
            }
            if (authorization != null) {
                refusal = admin.setChange(init.oldSet(), init.newSet(), init.oldSetSignature(), init.newSetSignature(), authorization, key)
                        .orElse(null);
            }
            if (refusal != null) {
                String why = refusal.getMessage();
                LOG.warning(() -> "servers set change " + key + " refused: " + why);
            } else if (!new TreeSet<>(init.oldSet()).equals(view(cluster))) {
                refusal = SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE); // SEC-24: the signed old set must be this node's view
                LOG.warning(() -> "servers set change " + key + " refused: signed old set " + shortIds(init.oldSet())
                        + " differs from this node's view " + shortIds(view(cluster)));
            }
        }
        if (refusal != null) {
            outbox.send(key.master(), new Refused(refusal.kind()));
            fail(refusal);
            return;
        }
        LOG.info(() -> "servers set change " + key + " accepted: new set " + shortIds(newSet));
        reportInventory();
    }

    /**
     * Reports every committed key of this node with its versions, oldest first, to the master in pages of
     * {@link #PAGE} keys, the last one marked. Reads the storage's inventory: no share is unsealed.
     */
    private void reportInventory() {
        Optional<H256> after = Optional.empty();
        do {
            InventoryPage page = storage.inventory(after, PAGE);
            List<KeyEntry> keys = page.keys().stream().map(k -> new KeyEntry(k.keyId(), k.threshold(), k.versions().stream()
                    .map(v -> new VersionEntry(v.id(), idNumbers(v.idNumbers()))).toList())).toList();
            outbox.send(key.master(), new Inventory(keys, page.next().isEmpty()));
            after = page.next();
        } while (after.isPresent());
    }

    private static List<IdNumber> idNumbers(Map<NodeId, Scalar> ids) {
        return ids.entrySet().stream().map(e -> new IdNumber(e.getKey(), e.getValue())).toList();
    }

    private static SortedMap<NodeId, Scalar> idMap(List<IdNumber> ids) {
        SortedMap<NodeId, Scalar> m = new TreeMap<>();
        for (IdNumber id : ids) {
            if (m.put(id.node(), id.x()) != null) throw SecretStoreException.of(Kind.INVALID_MESSAGE);
        }
        return m;
    }

    private void onPlan(Plan plan) {
        if (plan.batch() <= batch) return;
        batch = plan.batch();
        batchKeys = new HashSet<>();
        plan.keys().forEach(kp -> batchKeys.add(kp.keyId()));
        int planned = batch;
        member = new CommitMember(storage, key.master(), new CommitMember.Wire() {
            @Override
            public void prepared() {} // reported with the faults by maybePrepare

            @Override
            public void refused(Kind reason) {}

            @Override
            public void committed() {
                outbox.send(key.master(), new Committed(planned));
            }
        });
        receiving.clear();
        dealersOfBatch.clear();
        received.clear();
        readThisBatch.clear();
        Map<NodeId, List<Subshare>> outgoing = new TreeMap<>();
        boolean dealing = false;
        for (KeyPlan kp : plan.keys()) {
            SortedMap<NodeId, Scalar> newIds = idMap(kp.newIdNumbers());
            if (newIds.containsKey(self)) {
                receiving.put(kp.keyId(), kp);
                dealersOfBatch.addAll(kp.dealers());
            }
            if (kp.dealers().contains(self)) {
                dealing = true;
                deal(kp, newIds, outgoing);
            }
        }
        List<Map.Entry<NodeId, Subshares>> arrived = new ArrayList<>(early.entrySet());
        early.clear();
        for (Map.Entry<NodeId, Subshares> e : arrived) {
            if (e.getValue().batch() == batch) onSubshares(e.getKey(), e.getValue());
        }
        if (dealing) {
            // one message per new holder of this batch, also when some key could not be dealt (the holder names us then)
            for (NodeId to : newSet) {
                List<Subshare> items = outgoing.getOrDefault(to, List.of());
                outbox.send(to, new Subshares(batch, items));
                items.forEach(i -> i.value().destroy()); // encoded by send, this node's own copy too
            }
        }
        maybePrepare();
    }

    /**
     * Dealer i ∈ Q: f_i with f_i(0) = s_i, F_i, and f_i(x'_j) for every new holder (crypto.md §10.9). One storage
     * read, which unseals only this node's (checked, SEC-11) share of the planned old version; its metadata is kept
     * for {@link #prepareKey}.
     */
    private void deal(KeyPlan kp, SortedMap<NodeId, Scalar> newIds, Map<NodeId, List<Subshare>> outgoing) {
        Optional<KeyRead> read = storage.read(kp.keyId(), kp.oldVersion());
        read.ifPresent(r -> readThisBatch.put(kp.keyId(), r.key()));
        Optional<OwnShare> own = read.flatMap(KeyRead::share);
        if (own.isEmpty()) {
            LOG.warning(() -> "servers set change " + key + ": asked to deal key " + kp.keyId() + " version " + kp.oldVersion()
                    + " which this node does not hold");
            return;
        }
        KeyMetadata meta = read.get().key();
        VersionMetadata v = own.get().version();
        Redistribution.Dealer dealer = Redistribution.Dealer.create(own.get().share(), v.threshold(), rng);
        try {
            List<PublicPoint> feldman = dealer.commitments().points();
            List<PublicPoint> doc = documentKey(meta);
            List<IdNumber> oldIds = idNumbers(v.idNumbers());
            for (Map.Entry<PublicPoint, SecretScalar> e : dealer.deal(VersionMetadata.thresholdIds(newIds)).entrySet()) {
                outgoing.computeIfAbsent(new NodeId(e.getKey()), n -> new ArrayList<>()).add(new Subshare(kp.keyId(), feldman, e.getValue(),
                        meta.author(), meta.publicKey(), doc, v.commitments(), oldIds, v.nonce().stream().toList()));
            }
        } finally {
            dealer.destroy();
        }
    }

    private static List<PublicPoint> documentKey(KeyMetadata key) {
        return key.documentKey().map(d -> List.of(d.commonPoint(), d.encryptedPoint())).orElse(List.of());
    }

    private void onSubshares(NodeId from, Subshares s) {
        if (s.batch() > batch) {
            early.put(from, s); // replayed when the plan arrives; a dealer is at most one batch ahead
            return;
        }
        if (s.batch() != batch || !dealersOfBatch.contains(from) || received.containsKey(from)) return;
        Map<H256, Subshare> items = new HashMap<>();
        for (Subshare item : s.items()) {
            if (receiving.containsKey(item.keyId())) items.put(item.keyId(), item);
        }
        received.put(from, items);
        maybePrepare();
    }

    /** A new holder, once every dealer of the batch was heard: verify, combine, prepare, report. */
    private void maybePrepare() {
        if (receiving.isEmpty() || !received.keySet().containsAll(dealersOfBatch)) return;
        List<H256> prepared = new ArrayList<>();
        List<KeyFault> myFaults = new ArrayList<>();
        Set<H256> unresolved = storage.pendingKeyIds();
        for (KeyPlan kp : receiving.values()) {
            try {
                if (unresolved.contains(kp.keyId())) {
                    // SEC-25: a row from an interrupted session is decided by the recovery path, never overwritten
                    throw new KeyFailure(Optional.empty(), "an earlier prepared write of this key awaits resolution", true);
                }
                prepareKey(kp);
                prepared.add(kp.keyId());
            } catch (KeyFailure f) {
                LOG.warning(() -> "servers set change " + key + ": key " + kp.keyId() + " not re-shared: " + f.getMessage());
                myFaults.add(new KeyFault(kp.keyId(), f.culprit.map(List::of).orElse(List.of()), f.getMessage(), f.retryable));
            }
        }
        for (Map<H256, Subshare> items : received.values()) {
            items.values().forEach(i -> { if (!i.value().isDestroyed()) i.value().destroy(); });
        }
        receiving.clear();
        received.clear();
        readThisBatch.clear();
        member.markPrepared(Set.copyOf(prepared));
        outbox.send(key.master(), new Prepared(batch, prepared, myFaults));
    }

    private static final class KeyFailure extends Exception {
        final Optional<NodeId> culprit;
        final boolean retryable;

        KeyFailure(Optional<NodeId> culprit, String message) {
            this(culprit, message, false);
        }

        KeyFailure(Optional<NodeId> culprit, String message, boolean retryable) {
            super(message, null, false, false);
            this.culprit = culprit;
            this.retryable = retryable;
        }
    }

    private void prepareKey(KeyPlan kp) throws KeyFailure {
        // public data only: read by deal() if this node dealt the key, else one metadata read (never unseals)
        Optional<KeyMetadata> own = readThisBatch.containsKey(kp.keyId())
                ? Optional.of(readThisBatch.get(kp.keyId())) : storage.metadata(kp.keyId());
        Subshare first = null;
        Map<PublicPoint, SecretScalar> subshares = new HashMap<>();
        Map<PublicPoint, CommitmentVector> vectors = new HashMap<>();
        SortedMap<NodeId, Scalar> oldIds = null;
        for (NodeId dealer : kp.dealers()) {
            Subshare s = received.getOrDefault(dealer, Map.of()).get(kp.keyId());
            if (s == null) throw new KeyFailure(Optional.of(dealer), "no subshare from dealer " + dealer.shortId());
            if (first == null) {
                first = s;
                try {
                    oldIds = idMap(s.oldIdNumbers());
                } catch (SecretStoreException e) {
                    throw new KeyFailure(Optional.of(dealer), "duplicate id numbers");
                }
                // The id binds the id numbers (and a refreshed version's nonce): a dealer cannot hand over other id numbers
                // than the planned version's (that would change every holder's Lagrange weights, crypto.md §11.5).
                if (!VersionMetadata.deriveId(oldIds, s.oldNonce().stream().findFirst()).equals(kp.oldVersion())) {
                    throw new KeyFailure(Optional.of(dealer), "old id numbers and nonce do not derive the planned version");
                }
                Optional<String> mismatch = own.flatMap(o -> disagreement(o, s, kp.oldVersion()));
                if (mismatch.isPresent()) throw new KeyFailure(Optional.of(dealer), mismatch.get());
            } else if (!sameKeyData(first, s)) {
                throw new KeyFailure(Optional.of(dealer), "dealer " + dealer.shortId() + " disagrees with the other dealers on the key's public data");
            }
            subshares.put(dealer.publicKey(), s.value());
            vectors.put(dealer.publicKey(), CommitmentVector.of(s.feldman()));
        }
        SortedMap<NodeId, Scalar> newIds = idMap(kp.newIdNumbers());
        Scalar newX = newIds.get(self);
        IdNumbers oldNumbers;
        KeyCommitments oldKey;
        try {
            oldNumbers = VersionMetadata.thresholdIds(oldIds);
            oldKey = KeyCommitments.of(first.oldCommitments());
        } catch (CryptoException e) {
            throw new KeyFailure(Optional.of(kp.dealers().get(0)), "old version data: " + e.getMessage());
        }
        List<PublicPoint> group = kp.dealers().stream().map(NodeId::publicKey).toList();
        for (NodeId dealer : kp.dealers()) { // §11.5: F_{i,0} = Y_i, len t+1, f_i(x'_j)·G = Σ x'^k F_{i,k}
            try {
                Redistribution.verifySubshare(dealer.publicKey(), vectors.get(dealer.publicKey()), oldNumbers, oldKey, newX,
                        subshares.get(dealer.publicKey()));
            } catch (CryptoException e) {
                throw new KeyFailure(Optional.of(dealer), e.getMessage());
            }
        }
        SecretScalar newShare = null;
        try {
            KeyCommitments newKey = Redistribution.newCommitments(oldNumbers, group, oldKey, vectors);
            if (!newKey.publicKey().equals(first.publicKey())) throw new KeyFailure(Optional.empty(), "A'_0 is not the server key");
            newShare = Redistribution.newShare(oldNumbers, group, oldKey.threshold(), subshares);
            Redistribution.checkOwnShare(self.publicKey(), newShare, newKey, newX);
            KeyVersion version = new KeyVersion(newIds, newShare, newKey.vector().points());
            if (own.isPresent() && own.get().version(version.id()).isPresent()) {
                // an earlier change already moved the key here (the plan predates the recovery path's commit): a repeat only cleans up
                throw new KeyFailure(Optional.empty(), "this node already holds the planned version", true);
            }
            if (own.isPresent()) {
                storage.prepareVersion(kp.keyId(), version);
            } else {
                Optional<DocumentKey> doc = first.documentKey().size() == 2
                        ? Optional.of(new DocumentKey(first.documentKey().get(0), first.documentKey().get(1))) : Optional.empty();
                storage.prepareNewKey(new KeyShare(kp.keyId(), first.author(), oldKey.threshold(), first.publicKey(), doc, List.of(version)));
            }
            newShare = null; // owned by storage now
        } catch (CryptoException e) {
            throw new KeyFailure(Optional.empty(), e.getMessage());
        } catch (SecretStoreException e) {
            throw new KeyFailure(Optional.empty(), e.getMessage());
        } finally {
            if (newShare != null) newShare.destroy();
        }
    }

    /** What a holder of the key finds wrong in a dealer's public data, if anything (SEC-11). */
    private static Optional<String> disagreement(KeyMetadata own, Subshare s, H256 oldVersion) {
        if (!own.publicKey().equals(s.publicKey()) || !own.author().equals(s.author())) {
            return Optional.of("server key or author differs from this node's");
        }
        if (!documentKey(own).equals(s.documentKey())) return Optional.of("document key differs from this node's");
        return own.version(oldVersion).filter(v -> !v.commitments().equals(s.oldCommitments()))
                .map(v -> "old commitments differ from this node's");
    }

    private static boolean sameKeyData(Subshare a, Subshare b) {
        return a.author().equals(b.author()) && a.publicKey().equals(b.publicKey()) && a.documentKey().equals(b.documentKey())
                && a.oldCommitments().equals(b.oldCommitments()) && a.oldIdNumbers().equals(b.oldIdNumbers())
                && a.oldNonce().equals(b.oldNonce());
    }

    private void onCommit(Commit c) {
        if (c.batch() != batch || member == null) return;
        member.onCommit(key.master(), Set.copyOf(c.commit())); // commits, discards the rest, acknowledges
    }

    /** Every holder of the new versions committed them: drop older versions; a node outside the new set drops the key. */
    private void onCleanup(Cleanup c) {
        for (Keep keep : c.keys()) {
            Optional<KeyMetadata> meta = storage.metadata(keep.keyId()); // never unseals
            if (meta.isEmpty()) continue;
            if (meta.get().version(keep.version()).isPresent()) {
                for (VersionMetadata v : meta.get().versions()) {
                    if (!v.id().equals(keep.version())) storage.removeVersion(keep.keyId(), v.id());
                }
            } else if (!newSet.contains(self)) {
                storage.removeKey(keep.keyId());
            } else {
                LOG.warning(() -> "servers set change " + key + ": key " + keep.keyId() + " kept: this node of the new set lacks version "
                        + keep.version());
            }
        }
        outbox.send(key.master(), new CleanedUp(c.batch()));
    }

    // ================================================================== master

    private void onInventory(NodeId from, Inventory inv) {
        if (phase != Phase.INVENTORY || inventoryDone.contains(from)) return;
        inventories.computeIfAbsent(from, n -> new ArrayList<>()).addAll(inv.keys());
        if (inv.last()) inventoryDone.add(from);
        maybePlan();
    }

    private void maybePlan() {
        if (phase != Phase.INVENTORY || !inventoryDone.containsAll(participants)) return;
        SetChangePlanner.Plan plan = SetChangePlanner.plan(inventories, newSet, rng);
        inventories.clear();
        if (!plan.atRisk().isEmpty()) {
            String keys = plan.atRisk().stream().limit(10).map(H256::toHex).toList() + (plan.atRisk().size() > 10 ? " …" : "");
            if (!policy.allowKeyLoss()) {
                LOG.warning(() -> "servers set change " + key + " refused (SEC-26): " + plan.atRisk().size()
                        + " key(s) would be left with fewer than t+1 holders: " + keys);
                fail(SecretStoreException.of(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD));
                return;
            }
            LOG.warning(() -> "servers set change " + key + ": allow_key_loss_on_set_change = true; " + plan.atRisk().size()
                    + " key(s) left as they are, with fewer than t+1 holders in the new set: " + keys);
        }
        plan.deferred().forEach(k -> faults.add(new KeyFault(k, List.of(),
                "moved to the new set by an earlier change; a holder still awaits the recovery path", true)));
        partition(plan.reshare(), reshareBatches);
        partition(plan.cleanupOnly(), cleanupBatches);
        LOG.info(() -> "servers set change " + key + ": " + plan.reshare().size() + " key(s) to re-share, "
                + plan.cleanupOnly().size() + " to clean up");
        nextBatch();
    }

    private static <T> void partition(List<T> all, List<List<T>> into) {
        for (int i = 0; i < all.size(); i += BATCH) into.add(all.subList(i, Math.min(all.size(), i + BATCH)));
    }

    private void nextBatch() {
        current++;
        preparedBy.clear();
        repliedBy.clear();
        if (current < reshareBatches.size()) {
            phase = Phase.PREPARING;
            Set<H256> writeSet = new HashSet<>();
            reshareBatches.get(current).forEach(kp -> writeSet.add(kp.keyId()));
            int planned = current;
            commitMaster = new CommitMaster(storage, self, writeSet, newSet, participants, new CommitMaster.Wire() {
                @Override
                public void commit(NodeId to, Set<H256> keys) {
                    List<H256> commit = new ArrayList<>();
                    List<H256> discard = new ArrayList<>();
                    reshareBatches.get(planned).forEach(kp -> (keys.contains(kp.keyId()) ? commit : discard).add(kp.keyId()));
                    outbox.send(to, new Commit(planned, commit, discard));
                }

                @Override
                public void abort(NodeId to, Kind reason) {
                    outbox.send(to, new Abort(reason));
                }
            });
            sendAll(participants, new Plan(current, reshareBatches.get(current)));
        } else if (current - reshareBatches.size() < cleanupBatches.size()) {
            cleanup(cleanupBatches.get(current - reshareBatches.size()));
        } else {
            finish();
        }
    }

    private void onPrepared(NodeId from, Prepared p) {
        if (phase != Phase.PREPARING || p.batch() != current || !newSet.contains(from)) return;
        preparedBy.putIfAbsent(from, p);
        commitMaster.onPrepared(from);
        if (!commitMaster.allPrepared()) return;
        List<H256> commit = new ArrayList<>();
        List<H256> discard = new ArrayList<>();
        Set<H256> failed = new HashSet<>();
        preparedBy.values().forEach(r -> r.faults().forEach(f -> {
            failed.add(f.keyId());
            faults.add(f);
        }));
        for (KeyPlan kp : reshareBatches.get(current)) {
            boolean everywhere = !failed.contains(kp.keyId())
                    && preparedBy.values().stream().allMatch(r -> r.prepared().contains(kp.keyId()));
            (everywhere ? commit : discard).add(kp.keyId());
        }
        Set<H256> committed = new HashSet<>(commit);
        cleaning = reshareBatches.get(current).stream().filter(kp -> committed.contains(kp.keyId()))
                .map(kp -> new Keep(kp.keyId(), KeyVersion.versionHash(idMap(kp.newIdNumbers())))).toList();
        reshared += commit.size();
        phase = Phase.COMMITTING;
        commitMaster.commit(Set.copyOf(commit)); // the master's own Commit goes through its queue like everyone's
    }

    /** A new holder acknowledged its commit; old versions are removed only after every one did (SEC-26). */
    private void onCommitted(NodeId from, Committed c) {
        if (phase != Phase.COMMITTING || c.batch() != current) return;
        if (commitMaster.onAck(from)) cleanup(cleaning);
    }

    private void onReply(NodeId from, int replyBatch, Phase expected) {
        if (phase != expected || replyBatch != current) return;
        repliedBy.add(from);
        if (phase == Phase.CLEANING && repliedBy.containsAll(participants)) {
            nextBatch();
        }
    }

    private void cleanup(List<Keep> keys) {
        repliedBy.clear();
        phase = Phase.CLEANING;
        if (keys.isEmpty()) {
            nextBatch();
        } else {
            sendAll(participants, new Cleanup(current, keys));
        }
    }

    private void finish() {
        phase = Phase.DONE;
        doneSent = true;
        broadcast(new Done());
        if (faults.isEmpty()) {
            LOG.info(() -> "servers set change " + key + " done: " + reshared + " key(s) re-shared to " + shortIds(newSet));
            succeed(null);
        } else {
            Set<String> blamed = new TreeSet<>();
            faults.forEach(f -> f.culprits().forEach(n -> blamed.add(n.shortId())));
            String detail = "servers set change re-shared " + reshared + " key(s); " + faults.size()
                    + " key(s) kept their old version" + (blamed.isEmpty() ? "" : ", blamed nodes " + blamed);
            LOG.warning(() -> "servers set change " + key + ": " + detail);
            // only keys whose earlier write awaits the recovery path were skipped: the client's retry completes the change
            boolean retryable = faults.stream().allMatch(KeyFault::retryable);
            fail(retryable ? SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST) : SecretStoreException.of(Kind.INTERNAL, detail));
        }
    }

    // ================================================================== ending

    @Override
    public Set<NodeId> blamed() {
        Set<NodeId> out = new TreeSet<>();
        faults.forEach(f -> out.addAll(f.culprits()));
        return out;
    }

    @Override
    public Set<H256> writesKeys() {
        if (isFinished()) return Set.of();
        Set<H256> out = new HashSet<>(batchKeys);
        if (member != null) out.addAll(member.writeSet());
        if (commitMaster != null) out.addAll(commitMaster.writeSet());
        return out;
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isMaster() || node.equals(key.master())) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        }
    }

    /**
     * Nothing committed is undone. The master aborts the undecided batch everywhere (its own prepared rows
     * included) and ends every node's session; a batch it already decided stays decided. A member keeps what
     * it prepared unless the master aborted it: the recovery path decides those rows (SEC-25, SEC-26).
     */
    @Override
    protected void onFailure(SecretStoreException error) {
        boolean batchAborted = isMaster() && commitMaster != null && commitMaster.abort(error.kind());
        if (member != null) {
            if (batchAborted) member.onAbort(self);
            else member.end("servers set change " + key);
        }
        if (isMaster() && !doneSent && phase != Phase.AUTHORISING && !batchAborted) {
            broadcast(new Abort(error.kind()));
        }
    }
}
