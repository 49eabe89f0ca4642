package dev.secretstore.protocol.session.generation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.PedersenGenerator;
import dev.secretstore.crypto.threshold.SharePair;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.auth.CredentialUse;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Offload;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.commit.CommitMaster;
import dev.secretstore.protocol.session.commit.CommitMember;
import dev.secretstore.protocol.session.generation.GenerationMessage.Abort;
import dev.secretstore.protocol.session.generation.GenerationMessage.Commit;
import dev.secretstore.protocol.session.generation.GenerationMessage.Committed;
import dev.secretstore.protocol.session.generation.GenerationMessage.Complaint;
import dev.secretstore.protocol.session.generation.GenerationMessage.Complaints;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deadline;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deal;
import dev.secretstore.protocol.session.generation.GenerationMessage.DealerPair;
import dev.secretstore.protocol.session.generation.GenerationMessage.DealerVector;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanAll;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanComplaint;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanVerdicts;
import dev.secretstore.protocol.session.generation.GenerationMessage.Final;
import dev.secretstore.protocol.session.generation.GenerationMessage.Init;
import dev.secretstore.protocol.session.generation.GenerationMessage.InitAck;
import dev.secretstore.protocol.session.generation.GenerationMessage.Prepared;
import dev.secretstore.protocol.session.generation.GenerationMessage.Qual;
import dev.secretstore.protocol.session.generation.GenerationMessage.Reconstruct;
import dev.secretstore.protocol.session.generation.GenerationMessage.Refused;
import dev.secretstore.protocol.session.generation.GenerationMessage.Reveal;
import dev.secretstore.protocol.session.generation.GenerationMessage.RevealedPair;
import dev.secretstore.protocol.session.generation.GenerationMessage.Shares;
import dev.secretstore.protocol.session.generation.GenerationMessage.Start;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdict;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdicts;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * HTTP endpoint 1: verified, robust distributed key generation (crypto.md §10.3.2 after Gennaro, Jarecki,
 * Krawczyk, Rabin, "Secure Distributed Key Generation for Discrete-Log Based Cryptosystems", J. Cryptology 2007;
 * design decisions 5 and 6; SEC-02, SEC-03, SEC-10, SEC-11, SEC-18, SEC-25, SEC-40; docs/availability/generation.md).
 *
 * <p><b>Who takes part.</b> The key's holder set is every configured member: id numbers are drawn for all of
 * them and the stored version names all of them. The master runs the generation with the connected members
 * (the participants) when there are at least {@code availability.floor(t)} of them; members down get their
 * share later by repair. Only the members that finish store a share.
 *
 * <p><b>Rounds.</b> The deal is private (dealer → receiver); everything public goes to the master, which sees
 * it all, decides, and relays one view to every member, so every honest member reaches the same decisions
 * (a member that saw something else is found by the prepared-transcript comparison before the commit):
 * <ol>
 *   <li>{@link Init} / {@link InitAck}; {@link Start} names the dealers (the participants that acknowledged);
 *   <li>Pedersen phase: {@link Deal} (C_i and the receiver's pair) to every dealer; each reports {@link Verdicts}
 *       (hash of C_i as received, complaint, or missing) when it has every deal or at the master's {@link Deadline};
 *       the master relays the {@link Complaints}; every dealer answers with {@link Reveal} (C_i and the complained
 *       pairs in clear). A dealer is disqualified for equivocation (different vector hashes), a wrong-length or
 *       differing revealed vector, more than t complaints, a missing or wrong reveal, or for leaving; a reporter for
 *       a malformed verdict list. Dropping a dealer here cannot bias Y: the Pedersen commitments are perfectly
 *       hiding, so nothing about any f_i[0] is known yet.
 *   <li>{@link Qual} fixes QUAL (the dealers still in) and relays their C_i and the revealed pairs.
 *   <li>Feldman phase: {@link Feldman} A_i → master, which checks it against its own pair and relays
 *       {@link FeldmanAll}; every holder checks its pairs and reports {@link FeldmanVerdicts} (complaints with the
 *       pair in clear), judged by the master. A QUAL dealer that now fails (bad, missing or wrong-length A_i, valid
 *       Feldman complaint, leaving) is excluded from the holders but <em>not</em> from QUAL: the holders reveal the
 *       Pedersen-verified pairs they hold from it ({@link Reconstruct} / {@link Shares}), the master interpolates
 *       f_i from t+1 valid pairs and fixes A_i. So Y = Σ_{i ∈ QUAL} f_i[0]·G is the key determined when QUAL was fixed.
 *   <li>{@link Final}: every QUAL dealer's A_i and the holders; each holder computes s_j, A, Y, checks its own share,
 *       prepares (pending) and reports {@link Prepared} with the transcript hash; the master excludes a holder whose
 *       hash differs, commits with the rest ({@link Commit} / {@link Committed}, the two-phase commit of
 *       {@code session/commit}).
 * </ol>
 * A member that leaves, stalls (the master's stall timeout) or is caught cheating is excluded and named
 * ({@link #culprits()}, {@link #blamed()}); the generation completes with the rest while at least the floor
 * remain, else it fails with the culprits attached ({@link SecretStoreException#withCulprits}) and nobody keeps a
 * row. Only the master decides; a member follows the master's messages and ends when the master aborts it.
 */
public final class KeyGenerationSession extends AbstractSession<PublicPoint> {
    private static final Logger LOG = Logger.getLogger(KeyGenerationSession.class.getName());
    private static final PublicPoint H = PedersenGenerator.H;

    /** The member role's progress (every node, the master included). */
    private enum Phase { AWAIT_INIT, AWAIT_START, AWAIT_DEALS, AWAIT_COMPLAINTS, AWAIT_QUAL, AWAIT_FELDMAN_ALL, AWAIT_FINAL,
        AWAIT_COMMIT, DONE }

    /** The master role's progress: which message it awaits from every active member. */
    private enum Stage { ACKS, VERDICTS, REVEALS, FELDMAN, FELDMAN_VERDICTS, SHARES, PREPARED, DECIDED }

    private final KeyStorage storage;
    private final RequesterCheck requesters;
    private final SecureRandom rng;
    private final NodeId master;
    private final int floor;
    private Phase phase;
    private Stage stage;

    private H256 keyId;
    private Address author;
    /** The request's operation and credential kind, for this member's audit line (SEC-29). */
    private Operation auditOperation;
    private Optional<String> auditCredential = Optional.empty();
    private int t;
    private IdNumbers ids;
    /** The participants the master's init named. */
    private final SortedSet<NodeId> invited = new TreeSet<>();
    /** The dealers {@link Start} named. */
    private final SortedSet<NodeId> dealers = new TreeSet<>();
    /** Members this node saw disconnect (their deals count as missing). */
    private final Set<NodeId> lost = new TreeSet<>();

    /** Buffered messages: per message class, per sender, the first one received (SEC-18). */
    private final Map<Class<?>, Map<NodeId, GenerationMessage>> inbox = new HashMap<>();

    private Dkg.Dealer dealer;
    /** Pedersen vectors: as received, replaced by the master's relayed QUAL view. */
    private final Map<NodeId, CommitmentVector> pedersen = new TreeMap<>();
    private final Map<NodeId, CommitmentVector> feldman = new TreeMap<>();
    /** Pairs this node holds from every dealer (own included); replaced by revealed pairs after complaints. */
    private final Map<NodeId, SharePair> pairs = new TreeMap<>();
    /** Dealers this node complained about in round 2. */
    private final Set<NodeId> complainedAbout = new TreeSet<>();
    private Verdicts myVerdicts;
    private boolean verdictsResent;
    private boolean sharesSent;
    /** QUAL as the master fixed it, and the complaints resolved on the way (part of the transcript). */
    private final SortedSet<NodeId> qual = new TreeSet<>();
    private final List<Complaint> complaints = new ArrayList<>();
    private boolean refused;
    private boolean abortedByMaster;
    private H256 transcript;
    private PublicPoint publicKey;
    private KeyShare prepared;

    // master role
    /** Members still in: before QUAL the dealers, afterwards the holders. */
    private final SortedSet<NodeId> active = new TreeSet<>();
    private final Map<NodeId, Culprit> culprits = new LinkedHashMap<>();
    private final Map<NodeId, H256> agreedHash = new TreeMap<>();
    private final Map<NodeId, Reveal> reveals = new TreeMap<>();
    private boolean initSent;
    private boolean deadlineSent;
    private boolean replanned;
    private CommitMaster commitMaster;
    /** A member's role in the commit. */
    private final CommitMember commitMember;

    /** Where the rounds' checks of dealt values run ({@link #compute}): off the loop in a node; inline unless given. */
    private Offload offload = Offload.INLINE;
    /** A step's computation runs ({@link #compute}): no other step runs until its result is back. */
    private boolean computing;
    /** Inside {@link #advance()}: a computation's result that comes back inline continues in the same run of steps. */
    private boolean advancing;
    /** Feldman vectors this node already checked against its pair from their dealer and found good: never checked twice. */
    private final Map<NodeId, CommitmentVector> feldmanGood = new TreeMap<>();

    private KeyGenerationSession(SessionKey key, NodeId self, Set<NodeId> members, Outbox outbox, KeyStorage storage,
                                 RequesterCheck requesters, SecureRandom rng, int floor) {
        super(key, self, members, outbox);
        this.storage = storage;
        this.requesters = requesters;
        this.rng = rng;
        this.master = key.master();
        this.floor = floor;
        this.phase = isMaster() ? Phase.AWAIT_START : Phase.AWAIT_INIT;
        this.stage = Stage.ACKS;
        this.commitMember = isMaster() ? null : new CommitMember(storage, master, new CommitMember.Wire() {
            @Override
            public void prepared() {
                outbox.send(master, new Prepared(transcript));
            }

            @Override
            public void refused(Kind reason) {
                refused = true; // the master aborts everywhere
                outbox.send(master, new Abort(reason, List.of()));
            }

            @Override
            public void committed() {
                outbox.send(master, new Committed());
            }
        });
    }

    /**
     * Starts the session on the master. Checks, in Parity's order: key committed locally →
     * {@code SERVER_KEY_ALREADY_GENERATED}, only prepared (awaiting the commit's recovery path) → the
     * retryable {@code TOO_EARLY_FOR_REQUEST}; {@code t ≥ N} (N = configured members) →
     * {@code NOT_ENOUGH_NODES_FOR_THRESHOLD}; fewer than {@code availability.floor(t)} members connected →
     * {@code NODE_DISCONNECTED}. The connected members take part; id numbers are drawn for every member. The
     * returned session may already be finished (a check failed, or a single-node cluster).
     *
     * <p>The author is the requester the master derives from {@code requester}'s credential for {@code operation}
     * (1 or 3) and the threshold, as every participant will (SEC-31); a credential it does not accept ends the
     * request with the check's error before anything else.
     */
    public static KeyGenerationSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                   RequesterCheck requesters, H256 keyId, Requester requester, Operation operation,
                                                   long threshold, Availability availability, SecureRandom rng) {
        return startMaster(key, cluster, outbox, Offload.INLINE, storage, requesters, keyId, requester, operation, threshold,
                availability, rng);
    }

    /**
     * As above, with the rounds' checks of dealt values (the Pedersen and Feldman checks, the aggregation and the
     * own-share check) run through {@code offload}, which must be {@link ClusterSessions#offload(SessionKey)} for
     * {@code key}.
     */
    public static KeyGenerationSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Offload offload,
                                                   KeyStorage storage, RequesterCheck requesters, H256 keyId, Requester requester,
                                                   Operation operation, long threshold, Availability availability, SecureRandom rng) {
        SortedSet<NodeId> members = cluster.members();
        int floor = threshold < 0 || threshold >= members.size() ? 0 : availability.floor((int) threshold);
        KeyGenerationSession s = new KeyGenerationSession(key, cluster.self(), members, outbox, storage, requesters, rng, floor);
        s.offload = offload;
        s.keyId = keyId;
        s.auditOperation = operation;
        s.auditCredential = dev.secretstore.protocol.session.AuditFacts.credentialKind(requester.credential());
        RequesterCheck.Admitted admitted;
        try {
            admitted = s.admit(operation, requester.credential(), threshold);
        } catch (SecretStoreException e) {
            s.fail(e);
            return s;
        }
        s.derive(admitted, operation, author -> {
            s.author = author;
            s.open(cluster, requester, operation, threshold);
        }, s::fail);
        return s;
    }

    /** Master: the checks after the author's (in Parity's order), then the init to every connected member. */
    private void open(ClusterView cluster, Requester requester, Operation operation, long threshold) {
        SortedSet<NodeId> members = cluster.members();
        Kind taken = taken(storage, keyId);
        if (taken != null) {
            fail(SecretStoreException.of(taken));
            return;
        }
        if (threshold < 0 || threshold >= members.size()) {
            fail(SecretStoreException.of(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD));
            return;
        }
        for (NodeId m : members) {
            if (m.equals(self) || cluster.isConnected(m)) invited.add(m);
        }
        if (invited.size() < floor) {
            LOG.warning(() -> "generation " + key + ": " + invited.size() + " of " + members.size()
                    + " members connected, fewer than the floor " + floor);
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        t = (int) threshold;
        ids = IdNumbers.random(members.stream().map(NodeId::publicKey).toList(), rng);
        active.addAll(invited);
        Init init = new Init(keyId, requester.credential(), operation, t, GenerationWire.toWire(ids), List.copyOf(invited));
        initSent = true;
        for (NodeId n : invited) {
            if (!n.equals(self)) outbox.send(n, init);
        }
        put(self, new InitAck());
        advance();
    }

    /**
     * The factory the session manager uses on non-master nodes: creates the session from the master's
     * {@link Init} when the master is a configured member; the init is then delivered as a message and
     * checked (a refusal is answered with {@link Refused}).
     */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, RequesterCheck requesters,
                                                      SecureRandom rng) {
        return factory(cluster, null, storage, requesters, rng);
    }

    /** As above, each session's checks of dealt values run through {@code sessions}' {@link ClusterSessions#offload}; null: inline. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                      RequesterCheck requesters, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof Init) || !cluster.members().contains(init.master())
                    || !cluster.members().contains(cluster.self())) {
                return Optional.empty();
            }
            KeyGenerationSession s = new KeyGenerationSession(init.key(), cluster.self(), cluster.members(), outbox, storage, requesters,
                    rng, 0);
            if (sessions != null) s.offload = sessions.offload(init.key());
            return Optional.of(s);
        };
    }

    /**
     * Why this node cannot take part in generating {@code keyId}, or null: committed here →
     * {@code SERVER_KEY_ALREADY_GENERATED}; only prepared here → {@code TOO_EARLY_FOR_REQUEST}, retryable,
     * because the row is either committed or discarded by the recovery path within seconds and the client's
     * retry then gets the final answer (issue #12 defect 3: never "already generated" for a key no member
     * kept).
     */
    /**
     * SEC-29: the generation request as this member knows it (no ACL here: the author is the requester). The generation
     * of endpoint 3 is recorded only when it fails: once it succeeded, the document-key store that follows it is
     * the request's one line on every member.
     */
    @Override
    public Optional<dev.secretstore.protocol.session.AuditFacts> auditFacts() {
        if (keyId == null) return Optional.empty();
        if (auditOperation == Operation.GENERATE_DOCUMENT_KEY && failure().isEmpty()) return Optional.empty();
        String op = auditOperation == null ? "generate_server_key" : auditOperation.name().toLowerCase(java.util.Locale.ROOT);
        return Optional.of(new dev.secretstore.protocol.session.AuditFacts(op, keyId, Optional.ofNullable(author), auditCredential,
                Optional.empty(), java.util.OptionalLong.empty()));
    }

    private static Kind taken(KeyStorage storage, H256 keyId) {
        if (storage.contains(keyId)) return Kind.SERVER_KEY_ALREADY_GENERATED;
        if (storage.pendingKeyIds().contains(keyId)) return Kind.TOO_EARLY_FOR_REQUEST;
        return null;
    }

    @Override
    public Set<NodeId> blamed() {
        return Set.copyOf(culprits.keySet());
    }

    /** Every node this session excluded or blamed, in the order it did so, with the reason (SEC-10, SEC-40). */
    public List<Culprit> culprits() {
        return List.copyOf(culprits.values());
    }

    /** The first node blamed, if any (SEC-10). */
    public Optional<NodeId> culprit() {
        return culprits.keySet().stream().findFirst();
    }

    /** The members that stored (master) or were to store (member) a share: known once the master sent {@link Final}. */
    public Set<NodeId> holders() {
        return Set.copyOf(active);
    }

    // ------------------------------------------------------------------ messages

    @Override
    public Set<H256> writesKeys() {
        return isFinished() || keyId == null ? Set.of() : Set.of(keyId);
    }

    @Override
    public boolean continuesAfterTimeout() {
        return replanned && !isFinished();
    }

    private static boolean fromMasterOnly(GenerationMessage m) {
        return m instanceof Init || m instanceof Start || m instanceof Deadline || m instanceof Complaints || m instanceof Qual
                || m instanceof FeldmanAll || m instanceof Reconstruct || m instanceof Final || m instanceof Commit;
    }

    private static boolean toMasterOnly(GenerationMessage m) {
        return m instanceof InitAck || m instanceof Refused || m instanceof Verdicts || m instanceof Reveal || m instanceof Feldman
                || m instanceof FeldmanVerdicts || m instanceof Shares || m instanceof Prepared || m instanceof Committed;
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof GenerationMessage m) || from.equals(self)) return;
        if (m instanceof Abort a) {
            onAbort(from, a);
            return;
        }
        if (fromMasterOnly(m) && !from.equals(master)) return;
        if (toMasterOnly(m) && !isMaster()) return;
        if (m instanceof Committed) {
            if (commitMaster != null && commitMaster.onAck(from)) succeed(publicKey);
            return;
        }
        if (m instanceof Refused r) {
            LOG.warning(() -> "generation " + key + ": node " + from + " refused: " + r.reason());
            fail(SecretStoreException.of(r.reason() == null || r.reason().hasDetail() ? Kind.INVALID_MESSAGE : r.reason()));
            return;
        }
        put(from, m);
        advance();
    }

    private void put(NodeId from, GenerationMessage m) {
        inbox.computeIfAbsent(m.getClass(), c -> new HashMap<>()).putIfAbsent(from, m);
    }

    private void onAbort(NodeId from, Abort a) {
        if (isMaster()) {
            if (stage == Stage.DECIDED) return; // a decision is final
            if (a.reason() == Kind.DATABASE) { // a member could not write: the request fails at once, a retry may succeed
                fail(CommitMember.reported(a.reason()));
                return;
            }
            // a member that lost the master or stalled is lost, not refusing (the floor failure then says NODE_DISCONNECTED)
            exclude(from, a.reason() == Kind.NODE_DISCONNECTED ? Culprit.Reason.NO_ANSWER : Culprit.Reason.REFUSED,
                    "ended its session (" + a.reason() + ")");
            advance();
            return;
        }
        if (!from.equals(master) || !commitMember.onAbort(from)) return; // only the master decides (SEC-25)
        abortedByMaster = true;
        LOG.warning(() -> "generation " + key + " of key " + keyId + " aborted by the master"
                + (a.culprits().isEmpty() ? "" : ", which blames " + a.culprits().stream().map(NodeId::shortId).toList()));
        SecretStoreException error = CommitMember.reported(a.reason());
        if (!a.culprits().isEmpty()) {
            error = error.withCulprits(a.culprits().stream()
                    .map(n -> new Culprit(n, Culprit.Reason.INVALID_CONTRIBUTION, "named by the master")).toList());
        }
        fail(error);
    }

    @SuppressWarnings("unchecked")
    private <M extends GenerationMessage> M take(Class<M> type, NodeId from) {
        Map<NodeId, GenerationMessage> m = inbox.get(type);
        return m == null ? null : (M) m.get(from);
    }

    private List<NodeId> missing(Class<? extends GenerationMessage> type) {
        Map<NodeId, GenerationMessage> m = inbox.getOrDefault(type, Map.of());
        return active.stream().filter(p -> !m.containsKey(p)).toList();
    }

    /** Master role: sends to every other active member and takes its own copy as a member. */
    private void toActive(GenerationMessage m) {
        for (NodeId n : active) {
            if (!n.equals(self)) outbox.send(n, m);
        }
        put(self, m);
    }

    /** Member role: a message for the master (the master's own goes straight to its inbox). */
    private void toMaster(GenerationMessage m) {
        if (isMaster()) put(self, m);
        else outbox.send(master, m);
    }

    /** Runs every step whose messages are complete, both roles. A crypto failure on relayed data blames its sender. */
    private void advance() {
        advance(() -> { });
    }

    /** {@code first} (a computation's continuation), then every step that can run, as {@link #advance()}. */
    private void advance(Runnable first) {
        boolean outer = advancing;
        advancing = true;
        try {
            first.run();
            boolean progressed = true;
            while (progressed && !isFinished() && !computing) {
                progressed = memberStep();
                if (isMaster() && !isFinished() && !computing) progressed |= masterStep();
            }
        } catch (CryptoException e) {
            blameAndFail(culpritOf(e), e.getMessage());
        } finally {
            advancing = outer;
        }
    }

    /**
     * Runs the pure {@code work} of a step through the {@link Offload} and continues the step with its result
     * ({@code then}, on the loop, if the session is still running), then the steps that can run after it. No step runs
     * meanwhile; messages wait in the inbox. {@code work} reads only what it captured: immutable values and copies of
     * secrets it wipes itself. A {@link CryptoException} of {@code work} or {@code then} blames as in any step.
     */
    private <R> void compute(java.util.function.Supplier<R> work, java.util.function.Consumer<R> then, Runnable release) {
        computing = true;
        offload.run(work, result -> {
            computing = false;
            if (isFinished()) return;
            if (advancing) then.accept(result); // inline: the step that asked continues in the same run
            else advance(() -> then.accept(result));
        }, e -> {
            release.run(); // the work may not have run at all (a pool that refuses it)
            computing = false;
            if (isFinished()) return;
            if (advancing) throw e;
            advance(() -> {
                throw e;
            });
        });
    }

    /** Copies of the pairs from {@code dealers} for a computation, which wipes them ({@link #wipe}). */
    private static Map<NodeId, SharePair> copies(Map<NodeId, SharePair> pairs, Set<NodeId> dealers) {
        Map<NodeId, SharePair> out = new TreeMap<>();
        for (NodeId i : dealers) {
            SharePair p = pairs.get(i);
            out.put(i, new SharePair(p.f().copy(), p.g().copy()));
        }
        return out;
    }

    private static void wipe(Map<NodeId, SharePair> copies) {
        copies.values().forEach(SharePair::destroy);
    }

    // ------------------------------------------------------------------ member role

    private boolean memberStep() {
        switch (phase) {
            case AWAIT_INIT -> {
                Init init = take(Init.class, master);
                if (init == null) return false;
                acceptInit(init);
                return !isFinished();
            }
            case AWAIT_START -> {
                Start start = take(Start.class, master);
                if (start == null) return false;
                acceptStart(start);
                return !isFinished();
            }
            case AWAIT_DEALS -> {
                boolean complete = true;
                for (NodeId d : dealers) {
                    if (!d.equals(self) && !lost.contains(d) && take(Deal.class, d) == null) complete = false;
                }
                if (!complete && take(Deadline.class, master) == null) return false;
                verifyDeals();
                return true;
            }
            case AWAIT_COMPLAINTS -> {
                Complaints c = take(Complaints.class, master);
                if (c != null) {
                    answerComplaints(c);
                    return true;
                }
                if (take(Deadline.class, master) != null && !verdictsResent) {
                    verdictsResent = true; // the master may have lost the report; the first copy it gets counts
                    toMaster(myVerdicts);
                }
                return false;
            }
            case AWAIT_QUAL -> {
                Qual q = take(Qual.class, master);
                if (q == null) return false;
                acceptQual(q);
                return true;
            }
            case AWAIT_FELDMAN_ALL -> {
                FeldmanAll all = take(FeldmanAll.class, master);
                if (all == null) return false;
                checkFeldman(all);
                return true;
            }
            case AWAIT_FINAL -> {
                Reconstruct r = take(Reconstruct.class, master);
                if (r != null && !sharesSent) {
                    revealShares(r);
                    return true;
                }
                Final f = take(Final.class, master);
                if (f == null) return false;
                prepare(f);
                return true;
            }
            case AWAIT_COMMIT -> {
                if (isMaster() || take(Commit.class, master) == null || !commitMember.onCommit(master, Set.of(keyId))) return false;
                phase = Phase.DONE;
                succeed(publicKey);
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * The master's init: derives the author from the forwarded credential (its recovery through the offload, the
     * nonce back here), then checks the init ({@link #acceptAuthorized}).
     */
    private void acceptInit(Init init) {
        keyId = init.keyId();
        auditOperation = init.operation();
        auditCredential = dev.secretstore.protocol.session.AuditFacts.credentialKind(init.credential());
        RequesterCheck.Admitted admitted;
        try {
            admitted = admit(init.operation(), init.credential(), init.threshold());
        } catch (SecretStoreException e) {
            refuseUnauthorized(e);
            return;
        }
        derive(admitted, init.operation(), a -> {
            author = a;
            acceptAuthorized(init);
        }, this::refuseUnauthorized);
    }

    /**
     * The author: the requester of the {@code admitted} credential, as this node's own check derives it (SEC-31): its
     * recovery through the offload, then the fresh authorization's nonce spent on this request (SEC-32), back here;
     * {@code then} gets it, or {@code refused} the check's error.
     */
    private void derive(RequesterCheck.Admitted admitted, Operation operation, java.util.function.Consumer<Address> then,
                        java.util.function.Consumer<SecretStoreException> refused) {
        compute(() -> {
            try {
                return new Derivation(admitted.recover(), null);
            } catch (SecretStoreException e) {
                return new Derivation(null, e);
            }
        }, d -> {
            Address derived;
            try {
                if (d.error() != null) throw d.error();
                derived = requesters.spend(d.recovered(), CredentialUse.of(key, operation, keyId)).address();
            } catch (SecretStoreException e) {
                refused.accept(e);
                return;
            }
            then.accept(derived);
        }, () -> { });
    }

    /** A credential's recovery: the requester, or why the credential does not name one. */
    private record Derivation(RequesterCheck.Recovered recovered, SecretStoreException error) {}

    /** {@code credential} admitted for {@code operation} (1 or 3) with {@code threshold} by this node's check, its recovery still to run. */
    private RequesterCheck.Admitted admit(Operation operation, Credential credential, long threshold) {
        if (operation != Operation.GENERATE_SERVER_KEY && operation != Operation.GENERATE_DOCUMENT_KEY) {
            throw SecretStoreException.of(Kind.INSUFFICIENT_REQUESTER_DATA, "operation " + operation.code() + " generates no key");
        }
        return requesters.admit(credential, operation, keyId, Operation.thresholdParams(threshold));
    }

    /** The master's init from an author this node derived itself: refused if the key is taken here or the init is malformed. */
    private void acceptAuthorized(Init init) {
        Kind refusal = taken(storage, keyId);
        if (refusal == null) refusal = initRefusal(init);
        if (refusal != null) {
            refused = true;
            outbox.send(master, new Refused(refusal));
            fail(SecretStoreException.of(refusal));
            return;
        }
        t = init.threshold();
        outbox.send(master, new InitAck());
        phase = Phase.AWAIT_START;
    }

    /**
     * Member: the forwarded credential does not authorize this generation here. Refuses (a kind without detail:
     * {@code ACCESS_DENIED}, or the retryable {@code TOO_EARLY_FOR_REQUEST} of a full nonce memory) and ends this
     * side blaming the master (SEC-31), except for the full nonce memory, which is nobody's fault.
     */
    private void refuseUnauthorized(SecretStoreException e) {
        refused = true;
        boolean retryable = e.kind() == Kind.TOO_EARLY_FOR_REQUEST;
        outbox.send(master, new Refused(retryable ? e.kind() : Kind.ACCESS_DENIED));
        if (retryable) {
            fail(e);
            return;
        }
        Culprit culprit = new Culprit(master, Culprit.Reason.UNAUTHORIZED_REQUEST, "requester's credential refused: " + e.displayText());
        culprits.put(master, culprit);
        LOG.warning(() -> "generation " + key + " of key " + keyId.toHex() + ": refused the master's request; blaming " + culprit);
        fail(e.withCulprits(List.of(culprit)));
    }

    /**
     * Why this member refuses the master's init, or null (SEC-02): id numbers must name exactly the configured
     * members, the participants must be distinct members including the master and this node, at least t+1 of
     * them, and t below the member count. Sets {@link #ids} and {@link #invited} when accepted.
     */
    private Kind initRefusal(Init init) {
        if (init.threshold() < 0 || init.threshold() >= participants.size()) return Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD;
        try {
            Set<NodeId> listed = new TreeSet<>();
            init.idNumbers().forEach(e -> listed.add(e.node()));
            if (!listed.equals(participants)) {
                LOG.warning(() -> "generation " + key + ": id numbers do not name exactly the configured members");
                return Kind.INVALID_MESSAGE;
            }
            Set<NodeId> taking = new TreeSet<>(init.participants());
            if (taking.size() != init.participants().size() || !participants.containsAll(taking) || !taking.contains(master)
                    || !taking.contains(self) || taking.size() < init.threshold() + 1) {
                LOG.warning(() -> "generation " + key + ": refused participant list " + init.participants().size());
                return Kind.INVALID_MESSAGE;
            }
            ids = GenerationWire.fromWire(List.copyOf(participants), init.idNumbers()); // SEC-02
            invited.addAll(taking);
            return null;
        } catch (RuntimeException e) {
            LOG.warning(() -> "generation " + key + ": refused id numbers: " + e.getMessage());
            return Kind.INVALID_MESSAGE;
        }
    }

    private void acceptStart(Start start) {
        Set<NodeId> named = new TreeSet<>(start.dealers());
        if (named.size() != start.dealers().size() || !invited.containsAll(named) || !named.contains(self) || !named.contains(master)
                || named.size() < t + 1) {
            blameAndFail(master, "start names an invalid dealer set");
            return;
        }
        dealers.addAll(named);
        dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector c = dealer.pedersenCommitments(H);
        pedersen.put(self, c);
        for (NodeId receiver : dealers) {
            if (receiver.equals(self)) continue;
            SharePair pair = dealer.shareFor(ids.of(receiver.publicKey()));
            // not destroyed here: the transport may encode the message after send() returns
            outbox.send(receiver, new Deal(c.points(), pair.f(), pair.g()));
        }
        pairs.put(self, dealer.shareFor(myX()));
        phase = Phase.AWAIT_DEALS;
    }

    private Scalar myX() {
        return ids.of(self.publicKey());
    }

    /**
     * Round 2: check every dealer's pair against its Pedersen vector (one computation for all of them); a missing deal
     * is a complaint. Report to the master.
     */
    private void verifyDeals() {
        List<NodeId> missingDeals = new ArrayList<>();
        for (NodeId i : dealers) {
            if (i.equals(self)) continue;
            Deal d = take(Deal.class, i);
            if (d == null) {
                missingDeals.add(i);
                continue;
            }
            pedersen.put(i, GenerationWire.vector(d.pedersen()));
            pairs.put(i, new SharePair(d.f().copy(), d.g().copy()));
        }
        Map<NodeId, CommitmentVector> vectors = new TreeMap<>(pedersen);
        vectors.remove(self);
        if (vectors.isEmpty()) { // nothing dealt to check (a single dealer, or every deal missing)
            reportDeals(missingDeals, vectors, Map.of());
            return;
        }
        Map<NodeId, SharePair> dealt = copies(pairs, vectors.keySet());
        int threshold = t;
        Scalar x = myX();
        compute(() -> {
            try {
                Map<NodeId, String> faults = new TreeMap<>();
                vectors.forEach((i, c) -> {
                    try {
                        Dkg.verifyPedersenShare(i.publicKey(), c, threshold, x, dealt.get(i), H);
                    } catch (CryptoException e) {
                        faults.put(i, e.getMessage());
                    }
                });
                return faults;
            } finally {
                wipe(dealt);
            }
        }, faults -> reportDeals(missingDeals, vectors, faults), () -> wipe(dealt));
    }

    /** Round 2's report, once the checks of the dealt pairs are done: a complaint for every missing deal and failed check. */
    private void reportDeals(List<NodeId> missingDeals, Map<NodeId, CommitmentVector> vectors, Map<NodeId, String> faults) {
        List<Verdict> verdicts = new ArrayList<>();
        for (NodeId i : dealers) {
            if (i.equals(self)) continue;
            if (missingDeals.contains(i)) {
                LOG.warning(() -> "generation " + key + ": no deal from " + i.shortId() + "; complaint");
                complainedAbout.add(i);
                verdicts.add(new Verdict(i, GenerationWire.MISSING, true));
                continue;
            }
            boolean complaint = faults.containsKey(i);
            if (complaint) {
                LOG.warning(() -> "generation " + key + ": complaint against dealer " + i + ": " + faults.get(i));
                complainedAbout.add(i);
            }
            verdicts.add(new Verdict(i, vectors.get(i).hash(), complaint));
        }
        myVerdicts = new Verdicts(verdicts);
        verdictsResent = take(Deadline.class, master) != null;
        toMaster(myVerdicts);
        phase = Phase.AWAIT_COMPLAINTS;
    }

    /** Round 3: this node's Pedersen vector and the pairs for every complaint against it, in clear, to the master. */
    private void answerComplaints(Complaints c) {
        List<RevealedPair> answers = new ArrayList<>();
        for (Complaint k : c.complaints()) {
            if (k.dealer().equals(self) && dealers.contains(k.complainer()) && !k.complainer().equals(self)) {
                SharePair p = dealer.shareFor(ids.of(k.complainer().publicKey()));
                answers.add(new RevealedPair(k.complainer(), p.f(), p.g()));
            }
        }
        toMaster(new Reveal(pedersen.get(self).points(), answers));
        phase = Phase.AWAIT_QUAL;
    }

    /**
     * QUAL is fixed: take the master's view of every QUAL dealer's C_i (it must match the vector this node received,
     * SEC-10) and the revealed pairs for this node's complaints (each checked against C_i); send A_i to the master.
     */
    private void acceptQual(Qual q) {
        Map<NodeId, CommitmentVector> relayed = new TreeMap<>();
        for (DealerVector v : q.pedersen()) {
            if (!dealers.contains(v.dealer()) || relayed.put(v.dealer(), GenerationWire.vector(v.points())) != null) {
                throw fault(master, "QUAL names an unknown dealer twice or out of the dealer set");
            }
        }
        if (!relayed.containsKey(self) || !relayed.containsKey(master)) throw fault(master, "QUAL without this node or the master");
        for (Map.Entry<NodeId, CommitmentVector> e : relayed.entrySet()) {
            NodeId i = e.getKey();
            CommitmentVector c = e.getValue().requireDegree(t, false, master.publicKey());
            if (i.equals(self)) {
                if (!c.equals(pedersen.get(self))) throw fault(master, "relays a different vector of this node");
                continue;
            }
            if (complainedAbout.contains(i)) {
                DealerPair answer = q.revealed().stream().filter(p -> p.dealer().equals(i)).findFirst()
                        .orElseThrow(() -> fault(master, "no revealed pair from " + i.shortId() + " for this node's complaint"));
                SharePair revealed = new SharePair(answer.f().copy(), answer.g().copy());
                try {
                    Dkg.resolvePedersenComplaint(i.publicKey(), c, t, myX(), revealed, H);
                } catch (CryptoException x) {
                    revealed.destroy();
                    throw fault(master, "relayed a revealed pair of " + i.shortId() + " that fails the Pedersen check");
                }
                SharePair old = pairs.put(i, revealed);
                if (old != null) old.destroy();
            } else if (!c.equals(pedersen.get(i))) {
                throw fault(master, "relays a vector of " + i.shortId() + " that differs from the one dealt here");
            }
            pedersen.put(i, c);
        }
        pedersen.keySet().retainAll(relayed.keySet());
        for (NodeId gone : new ArrayList<>(pairs.keySet())) {
            if (!relayed.containsKey(gone)) pairs.remove(gone).destroy();
        }
        qual.addAll(relayed.keySet());
        if (!isMaster()) complaints.addAll(q.complaints()); // the master's own list is the one it relayed
        CommitmentVector a = dealer.feldmanCommitments();
        feldman.put(self, a);
        toMaster(new Feldman(a.points()));
        phase = Phase.AWAIT_FELDMAN_ALL;
    }

    /**
     * Round 4: check the relayed Feldman vectors against this node's pairs (one computation; a vector this node found
     * good already, as the master did in {@link #judgeFeldmanVectors}, is not checked again); complain (pair in clear)
     * to the master.
     */
    private void checkFeldman(FeldmanAll all) {
        Map<NodeId, CommitmentVector> relayed = new LinkedHashMap<>(); // the relay's order
        for (DealerVector v : all.feldman()) {
            NodeId i = v.dealer();
            if (!qual.contains(i) || relayed.containsKey(i)) throw fault(master, "Feldman vectors of dealers outside QUAL or twice");
            relayed.put(i, i.equals(self) ? null : GenerationWire.vector(v.points()));
        }
        relayed.values().removeIf(java.util.Objects::isNull);
        checkFeldmanVectors(relayed, faults -> {
            List<FeldmanComplaint> mine = new ArrayList<>();
            relayed.keySet().forEach(i -> {
                if (!faults.containsKey(i)) return;
                LOG.warning(() -> "generation " + key + ": Feldman complaint against dealer " + i + ": " + faults.get(i));
                SharePair p = pairs.get(i); // copies: the transport may encode after onFinish destroyed the pairs
                mine.add(new FeldmanComplaint(i, p.f().copy(), p.g().copy()));
            });
            toMaster(new FeldmanVerdicts(mine));
            phase = Phase.AWAIT_FINAL;
        });
    }

    /**
     * Checks each of {@code vectors} (other dealers' A_i) against this node's pair from that dealer, in one computation,
     * and continues with the faults found, by dealer. A vector already found good ({@link #feldmanGood}) is not checked
     * again: the check is a function of the vector and the pair, and the pairs are fixed once QUAL is.
     */
    private void checkFeldmanVectors(Map<NodeId, CommitmentVector> vectors, java.util.function.Consumer<Map<NodeId, String>> then) {
        Map<NodeId, CommitmentVector> unchecked = new TreeMap<>();
        vectors.forEach((i, a) -> {
            if (!a.equals(feldmanGood.get(i))) unchecked.put(i, a);
        });
        if (unchecked.isEmpty()) {
            then.accept(Map.of());
            return;
        }
        Map<NodeId, SecretScalar> fs = new TreeMap<>();
        unchecked.keySet().forEach(i -> fs.put(i, pairs.get(i).f().copy()));
        int threshold = t;
        Scalar x = myX();
        Runnable release = () -> fs.values().forEach(SecretScalar::destroy);
        compute(() -> {
            try {
                Map<NodeId, String> faults = new TreeMap<>();
                unchecked.forEach((i, a) -> {
                    try {
                        Dkg.verifyFeldmanShare(i.publicKey(), a, threshold, x, fs.get(i));
                    } catch (CryptoException e) {
                        faults.put(i, e.getMessage());
                    }
                });
                return faults;
            } finally {
                release.run();
            }
        }, faults -> {
            unchecked.forEach((i, a) -> {
                if (!faults.containsKey(i)) feldmanGood.put(i, a);
            });
            then.accept(faults);
        }, release);
    }

    /** GJKR reconstruction: reveal the pairs this node holds from the named QUAL dealers. */
    private void revealShares(Reconstruct r) {
        List<DealerPair> out = new ArrayList<>();
        for (NodeId i : new TreeSet<>(r.dealers())) {
            SharePair p = pairs.get(i);
            if (p != null && !i.equals(self)) out.add(new DealerPair(i, p.f().copy(), p.g().copy()));
        }
        sharesSent = true;
        toMaster(new Shares(out));
    }

    /**
     * Round 5: results over QUAL, own-share check, durable prepare (members) and the transcript hash to the master.
     * The checks of the final vectors (those not found good in round 4), the aggregation and the own-share check are
     * one computation; the state changes follow it.
     */
    private void prepare(Final f) {
        Map<NodeId, CommitmentVector> vectors = new TreeMap<>();
        for (DealerVector v : f.feldman()) {
            if (vectors.put(v.dealer(), GenerationWire.vector(v.points()).requireDegree(t, false, master.publicKey())) != null) {
                throw fault(master, "final Feldman vectors name a dealer twice");
            }
        }
        if (!vectors.keySet().equals(qual)) throw fault(master, "final Feldman vectors do not cover QUAL exactly");
        if (!new TreeSet<>(f.holders()).contains(self)) throw fault(master, "final holder list without this node");
        if (!vectors.get(self).equals(feldman.get(self))) throw fault(master, "relays a different Feldman vector of this node");
        Map<NodeId, CommitmentVector> others = new TreeMap<>(vectors);
        others.remove(self);
        checkFeldmanVectors(others, faults -> {
            if (!faults.isEmpty()) {
                NodeId i = faults.keySet().iterator().next();
                throw fault(master, "final Feldman vector of " + i.shortId() + " does not match this node's pair");
            }
            aggregate(f, vectors);
        });
    }

    /** Round 5 with every final vector checked: the aggregated key, checked against this node's share, in one computation. */
    private void aggregate(Final f, Map<NodeId, CommitmentVector> vectors) {
        Map<PublicPoint, CommitmentVector> byDealer = new HashMap<>();
        vectors.forEach((n, a) -> byDealer.put(n.publicKey(), a));
        List<SecretScalar> fs = new ArrayList<>();
        for (NodeId i : qual) fs.add(pairs.get(i).f().copy());
        Runnable release = () -> fs.forEach(SecretScalar::destroy);
        int threshold = t;
        Scalar x = myX();
        PublicPoint me = self.publicKey();
        compute(() -> {
            try {
                KeyCommitments commitments = Dkg.aggregate(byDealer, threshold);
                SecretScalar share = Dkg.combineShares(fs);
                try {
                    Dkg.checkOwnShare(me, share, commitments, x);
                } finally {
                    share.destroy();
                }
                return commitments;
            } finally {
                release.run();
            }
        }, commitments -> prepareChecked(f, vectors, commitments), release);
    }

    /** Round 5's state changes and prepare, once the final vectors and the own share are checked. */
    private void prepareChecked(Final f, Map<NodeId, CommitmentVector> vectors, KeyCommitments commitments) {
        feldman.clear();
        feldman.putAll(vectors);
        if (isMaster()) {
            active.retainAll(f.holders());
        } else {
            active.clear();
            active.addAll(f.holders());
        }
        List<SecretScalar> fs = new ArrayList<>();
        for (NodeId i : qual) fs.add(pairs.get(i).f());
        SecretScalar share = Dkg.combineShares(fs);
        publicKey = commitments.publicKey();
        transcript = GenerationWire.transcriptHash(keyId, author, t, ids, pedersen, feldman, complaints);
        KeyVersion version = new KeyVersion(GenerationWire.byNodeId(ids), share, commitments.vector().points());
        prepared = new KeyShare(keyId, author, t, publicKey, Optional.empty(), List.of(version));
        phase = Phase.AWAIT_COMMIT;
        if (isMaster()) {
            put(self, new Prepared(transcript)); // the master writes when it decides
        } else {
            commitMember.prepare(Set.of(keyId), () -> storage.prepareNewKey(prepared));
        }
    }

    // ------------------------------------------------------------------ master role

    private boolean masterStep() {
        switch (stage) {
            case ACKS -> {
                if (!missing(InitAck.class).isEmpty()) return false;
                toActive(new Start(List.copyOf(active)));
                stage = Stage.VERDICTS;
                return true;
            }
            case VERDICTS -> {
                if (!missing(Verdicts.class).isEmpty()) return false;
                judgeVerdicts();
                return true;
            }
            case REVEALS -> {
                if (!missing(Reveal.class).isEmpty()) return false;
                judgeReveals();
                return true;
            }
            case FELDMAN -> {
                if (!missing(Feldman.class).isEmpty()) return false;
                judgeFeldmanVectors();
                return true;
            }
            case FELDMAN_VERDICTS -> {
                if (!missing(FeldmanVerdicts.class).isEmpty()) return false;
                judgeFeldmanComplaints();
                return true;
            }
            case SHARES -> {
                if (!missing(Shares.class).isEmpty()) return false;
                reconstruct();
                return true;
            }
            case PREPARED -> {
                if (!missing(Prepared.class).isEmpty()) return false;
                decide();
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Excludes {@code node} (master role) and names it. Before QUAL is fixed it is no longer a dealer; afterwards it
     * stays in QUAL (its A_i is reconstructed if it was not accepted yet) but stores nothing. Below the floor the
     * generation fails with every culprit named.
     */
    private void exclude(NodeId node, Culprit.Reason reason, String detail) {
        if (isFinished()) return;
        if (node.equals(self)) { // the coordinator cannot be excluded: the generation fails naming it
            blameAndFail(self, detail);
            return;
        }
        if (!active.remove(node)) return;
        culprits.putIfAbsent(node, new Culprit(node, reason, detail));
        LOG.warning(() -> "generation " + key + " of key " + keyId + ": excluded node " + node.toHex() + ": " + reason + " (" + detail + ")");
        if (!lost.contains(node)) outbox.send(node, new Abort(reason == Culprit.Reason.DISCONNECTED || reason == Culprit.Reason.NO_ANSWER
                ? Kind.NODE_DISCONNECTED : Kind.INVALID_MESSAGE, List.of(node)));
        if (active.size() < floor) {
            boolean allLost = culprits.values().stream().allMatch(Culprit::lost);
            LOG.warning(() -> "generation " + key + ": " + active.size() + " members left, fewer than the floor " + floor);
            fail(SecretStoreException.of(allLost ? Kind.NODE_DISCONNECTED : Kind.INVALID_MESSAGE).withCulprits(culprits()));
        }
    }

    private Map<NodeId, Verdict> verdictsOf(NodeId reporter, List<Verdict> list) {
        Map<NodeId, Verdict> out = new TreeMap<>();
        for (Verdict v : list) {
            if (!dealers.contains(v.dealer()) || v.dealer().equals(reporter) || out.put(v.dealer(), v) != null) return null;
        }
        return out.size() == dealers.size() - 1 ? out : null; // exactly one per other dealer (SEC-03)
    }

    /** Pedersen phase, reports: malformed lists, equivocation (differing hashes), more than t complaints; relay the rest. */
    private void judgeVerdicts() {
        Map<NodeId, Map<NodeId, Verdict>> byReporter = new TreeMap<>();
        for (NodeId r : List.copyOf(active)) {
            Map<NodeId, Verdict> vs = verdictsOf(r, take(Verdicts.class, r).verdicts());
            if (vs == null) exclude(r, Culprit.Reason.INVALID_CONTRIBUTION, "malformed verdict list (SEC-03)");
            else byReporter.put(r, vs);
        }
        for (NodeId i : List.copyOf(active)) {
            Set<H256> hashes = new java.util.HashSet<>();
            int complainers = 0;
            for (NodeId r : active) {
                if (r.equals(i)) continue;
                Verdict v = byReporter.get(r).get(i);
                if (!GenerationWire.MISSING.equals(v.vectorHash())) hashes.add(v.vectorHash());
                if (v.complaint()) complainers++;
            }
            if (hashes.size() > 1) {
                exclude(i, Culprit.Reason.EQUIVOCATION, "members report different Pedersen vectors");
            } else if (complainers > t) {
                exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, complainers + " members complained, more than t = " + t);
            } else if (!hashes.isEmpty()) {
                agreedHash.put(i, hashes.iterator().next());
            }
        }
        if (isFinished()) return;
        List<Complaint> list = new ArrayList<>();
        for (NodeId i : active) {
            for (NodeId r : active) {
                if (!r.equals(i) && byReporter.get(r).get(i).complaint()) list.add(new Complaint(i, r));
            }
        }
        complaints.clear();
        complaints.addAll(list);
        stage = Stage.REVEALS;
        toActive(new Complaints(list));
    }

    /** Pedersen phase, answers: the revealed vector must be the one reported, of length t+1, and every complaint answered by a valid pair. */
    private void judgeReveals() {
        for (NodeId i : List.copyOf(active)) {
            Reveal r = take(Reveal.class, i);
            CommitmentVector c = GenerationWire.vector(r.pedersen());
            H256 agreed = agreedHash.get(i);
            if (agreed != null && !agreed.equals(c.hash())) {
                exclude(i, Culprit.Reason.EQUIVOCATION, "revealed a Pedersen vector other than the one it dealt");
                continue;
            }
            if (c.points().size() != t + 1) {
                exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, "Pedersen vector has " + c.points().size() + " entries (SEC-03)");
                continue;
            }
            for (Complaint k : complaints) {
                if (!k.dealer().equals(i) || !active.contains(k.complainer())) continue;
                RevealedPair answer = r.pairs().stream().filter(p -> p.complainer().equals(k.complainer())).findFirst().orElse(null);
                if (answer == null) {
                    exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, "did not answer the complaint of " + k.complainer().shortId());
                    break;
                }
                SharePair revealed = new SharePair(answer.f().copy(), answer.g().copy());
                try {
                    Dkg.resolvePedersenComplaint(i.publicKey(), c, t, ids.of(k.complainer().publicKey()), revealed, H);
                    LOG.info(() -> "generation " + key + ": complaint of " + k.complainer().shortId() + " against " + i.shortId()
                            + " resolved by reveal");
                } catch (CryptoException e) {
                    exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, "revealed a pair that fails the Pedersen check");
                    break;
                } finally {
                    revealed.destroy();
                }
            }
            if (active.contains(i)) reveals.put(i, r);
        }
        if (isFinished()) return;
        // QUAL is fixed: from here on a dealer is reconstructed, never dropped (GJKR)
        complaints.removeIf(k -> !active.contains(k.dealer()) || !active.contains(k.complainer()));
        List<DealerVector> vectors = new ArrayList<>();
        for (NodeId i : active) vectors.add(new DealerVector(i, reveals.get(i).pedersen()));
        stage = Stage.FELDMAN;
        for (NodeId j : List.copyOf(active)) {
            List<DealerPair> theirs = new ArrayList<>();
            for (Complaint k : complaints) {
                if (!k.complainer().equals(j)) continue;
                for (RevealedPair p : reveals.get(k.dealer()).pairs()) {
                    if (p.complainer().equals(j)) theirs.add(new DealerPair(k.dealer(), p.f().copy(), p.g().copy()));
                }
            }
            Qual q = new Qual(vectors, complaints, theirs);
            if (j.equals(self)) put(self, q);
            else outbox.send(j, q);
        }
    }

    /** Feldman phase: every QUAL holder's A_i, checked for length and against the master's own pair; relay the good ones. */
    private void judgeFeldmanVectors() {
        Map<NodeId, CommitmentVector> received = new LinkedHashMap<>(); // active's order
        for (NodeId i : List.copyOf(active)) received.put(i, GenerationWire.vector(take(Feldman.class, i).feldman()));
        Map<NodeId, CommitmentVector> others = new TreeMap<>(received);
        others.remove(self);
        checkFeldmanVectors(others, faults -> acceptFeldmanVectors(received, faults));
    }

    /** The Feldman vectors checked: exclude every dealer whose vector failed, relay the good ones. */
    private void acceptFeldmanVectors(Map<NodeId, CommitmentVector> received, Map<NodeId, String> faults) {
        Map<NodeId, CommitmentVector> accepted = new TreeMap<>();
        for (Map.Entry<NodeId, CommitmentVector> e : received.entrySet()) {
            NodeId i = e.getKey();
            if (faults.containsKey(i)) {
                exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, "bad Feldman vector: " + faults.get(i));
                continue;
            }
            accepted.put(i, e.getValue());
        }
        if (isFinished()) return;
        feldman.clear();
        feldman.putAll(accepted);
        stage = Stage.FELDMAN_VERDICTS;
        List<DealerVector> out = new ArrayList<>();
        accepted.forEach((i, a) -> out.add(new DealerVector(i, a.points())));
        toActive(new FeldmanAll(out));
    }

    /** Feldman complaints: a valid one excludes the dealer (reconstructed), an invalid one the complainer. */
    private void judgeFeldmanComplaints() {
        for (NodeId j : List.copyOf(active)) {
            FeldmanVerdicts fv = take(FeldmanVerdicts.class, j);
            Set<NodeId> against = new TreeSet<>();
            for (FeldmanComplaint c : fv.complaints()) {
                NodeId i = c.dealer();
                if (!active.contains(j)) break;
                if (!qual.contains(i) || i.equals(j) || !against.add(i) || !feldman.containsKey(i)) {
                    exclude(j, Culprit.Reason.INVALID_CONTRIBUTION, "malformed Feldman complaint");
                    break;
                }
                SharePair revealed = new SharePair(c.f().copy(), c.g().copy());
                try {
                    Dkg.ComplaintVerdict verdict = Dkg.judgeFeldmanComplaint(i.publicKey(), j.publicKey(), pedersen.get(i),
                            feldman.get(i), t, ids.of(j.publicKey()), revealed, H);
                    if (verdict.blame() == Dkg.Blame.DEALER) {
                        feldman.remove(i);
                        exclude(i, Culprit.Reason.INVALID_CONTRIBUTION, "valid Feldman complaint of " + j.shortId());
                    } else {
                        exclude(j, Culprit.Reason.COMPLAINT, "false Feldman complaint against " + i.shortId());
                    }
                } finally {
                    revealed.destroy();
                }
            }
        }
        if (isFinished()) return;
        List<NodeId> missingA = qual.stream().filter(i -> !feldman.containsKey(i)).toList();
        if (missingA.isEmpty()) {
            sendFinal();
        } else {
            stage = Stage.SHARES;
            toActive(new Reconstruct(missingA));
        }
    }

    /**
     * GJKR reconstruction of every QUAL dealer without an accepted A_i: t+1 Pedersen-valid pairs fix f_i, hence
     * A_i = f_i[k]·G. A holder revealing a pair that fails the Pedersen check is excluded.
     */
    private void reconstruct() {
        List<NodeId> targets = qual.stream().filter(i -> !feldman.containsKey(i)).toList();
        for (NodeId i : targets) {
            List<Scalar> xs = new ArrayList<>();
            List<Scalar> ys = new ArrayList<>();
            for (NodeId j : List.copyOf(active)) {
                if (j.equals(i)) continue;
                DealerPair dp = take(Shares.class, j).pairs().stream().filter(x -> x.dealer().equals(i)).findFirst().orElse(null);
                SharePair p = dp == null ? null : new SharePair(dp.f().copy(), dp.g().copy());
                Scalar xj = ids.of(j.publicKey());
                try {
                    if (p == null) throw fault(j, "no pair");
                    Dkg.resolvePedersenComplaint(i.publicKey(), pedersen.get(i), t, xj, p, H);
                    if (xs.size() <= t) {
                        xs.add(xj);
                        ys.add(p.f().reveal()); // public now: the dealer's polynomial is reconstructed in the open (GJKR)
                    }
                } catch (CryptoException e) {
                    exclude(j, Culprit.Reason.INVALID_CONTRIBUTION, "revealed no valid pair of " + i.shortId() + " for reconstruction");
                } finally {
                    if (p != null) p.destroy();
                }
                if (isFinished()) return;
            }
            if (xs.size() < t + 1) {
                blameAndFail(i, "fewer than t+1 valid pairs to reconstruct its polynomial");
                return;
            }
            List<PublicPoint> points = new ArrayList<>();
            for (Scalar coefficient : GenerationWire.interpolate(xs, ys)) {
                if (coefficient.isZero()) {
                    blameAndFail(i, "reconstructed polynomial has a zero coefficient");
                    return;
                }
                points.add(PublicPoint.generator().mul(coefficient));
            }
            CommitmentVector a = CommitmentVector.of(points);
            LOG.info(() -> "generation " + key + ": reconstructed the Feldman vector of excluded QUAL dealer " + i.shortId());
            feldman.put(i, a);
        }
        sendFinal();
    }

    private void sendFinal() {
        stage = Stage.PREPARED;
        List<DealerVector> out = new ArrayList<>();
        feldman.forEach((i, a) -> out.add(new DealerVector(i, a.points())));
        toActive(new Final(out, List.copyOf(active)));
    }

    /**
     * Master: every remaining holder prepared; one whose transcript hash differs from the master's is excluded
     * (SEC-10); then the master writes its own row and decides commit (SEC-25). The result completes when every
     * holder acknowledged its commit.
     */
    private void decide() {
        for (NodeId n : List.copyOf(active)) {
            if (n.equals(self)) continue;
            if (!take(Prepared.class, n).transcriptHash().equals(transcript)) {
                exclude(n, Culprit.Reason.INVALID_CONTRIBUTION, "transcript hash differs from the master's");
            }
        }
        if (isFinished()) return;
        SortedSet<NodeId> members = new TreeSet<>(active);
        members.remove(self);
        SortedSet<NodeId> informed = new TreeSet<>(invited);
        informed.remove(self);
        commitMaster = new CommitMaster(storage, self, Set.of(keyId), members, informed, new CommitMaster.Wire() {
            @Override
            public void commit(NodeId member, Set<H256> keys) {
                outbox.send(member, new Commit());
            }

            @Override
            public void abort(NodeId node, Kind reason) {
                outbox.send(node, new Abort(reason, List.copyOf(culprits.keySet())));
            }
        });
        commitMaster.prepareLocally(() -> storage.prepareNewKey(prepared));
        members.forEach(commitMaster::onPrepared);
        commitMaster.commit();
        stage = Stage.DECIDED;
        phase = Phase.DONE;
        if (commitMaster.isComplete()) succeed(publicKey);
    }

    // ------------------------------------------------------------------ faults, disconnection, cleanup

    private static CryptoException fault(NodeId culprit, String what) {
        return new CryptoException(CryptoException.Reason.VERIFICATION_FAILED, culprit.publicKey(), "node " + culprit.toHex() + ": " + what,
                null);
    }

    /** The node a crypto failure names as its culprit ({@link CryptoException#culprit()}), if any. */
    static NodeId culpritOf(CryptoException e) {
        return e.culprit().map(NodeId::new).orElse(null);
    }

    /** Ends the session naming {@code node} (a member blaming the master, or a master that cannot exclude). */
    private void blameAndFail(NodeId node, String reason) {
        if (node != null) culprits.putIfAbsent(node, new Culprit(node, Culprit.Reason.INVALID_CONTRIBUTION, reason));
        LOG.warning(() -> "generation " + key + " of key " + keyId + " failed: blamed node "
                + (node == null ? "(none)" : node.toHex()) + ": " + reason);
        fail(SecretStoreException.of(Kind.INVALID_MESSAGE).withCulprits(culprits()));
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isFinished() || !participants.contains(node) || node.equals(self)) return;
        lost.add(node);
        if (isMaster()) {
            if (stage == Stage.DECIDED) {
                if (commitMaster.onMemberLost(node)) succeed(publicKey); // it resolves its prepared row with the others
                return;
            }
            exclude(node, Culprit.Reason.DISCONNECTED, "connection lost");
            advance();
            return;
        }
        if (node.equals(master)) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED)); // a prepared row stays for the recovery path
            return;
        }
        advance(); // its deal, if still awaited, is missing now
    }

    /**
     * Master: the decision stands after a stall (a holder that never acknowledged resolves its row with the others);
     * before it, the first stall while deals are reported makes every member report now ({@link Deadline}), any other
     * stall excludes the members that did not answer, and the generation goes on while the floor holds. A member
     * ends (the master is gone or stuck).
     */
    @Override
    public void onTimeout() {
        replanned = false;
        if (!isMaster()) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        if (stage == Stage.DECIDED) {
            succeed(publicKey);
            return;
        }
        Class<? extends GenerationMessage> awaited = switch (stage) {
            case ACKS -> InitAck.class;
            case VERDICTS -> Verdicts.class;
            case REVEALS -> Reveal.class;
            case FELDMAN -> Feldman.class;
            case FELDMAN_VERDICTS -> FeldmanVerdicts.class;
            case SHARES -> Shares.class;
            default -> Prepared.class;
        };
        if (stage == Stage.VERDICTS && !deadlineSent) {
            deadlineSent = true;
            LOG.info(() -> "generation " + key + ": reports missing from " + missing(Verdicts.class).size() + " members; deadline");
            toActive(new Deadline());
            replanned = true;
            advance();
            return;
        }
        List<NodeId> silent = missing(awaited).stream().filter(n -> !n.equals(self)).toList();
        if (silent.isEmpty()) {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        for (NodeId n : silent) exclude(n, Culprit.Reason.NO_ANSWER, "no " + awaited.getSimpleName() + " before the stall timeout");
        replanned = true;
        advance();
    }

    /**
     * The master aborts every invited member (its own Abort, also when a member's abort caused the failure); a
     * member that prepared keeps its row unless the master aborted; a member that had not prepared tells the master,
     * unless it refused or the master ended it.
     */
    @Override
    protected void onFailure(SecretStoreException error) {
        phase = Phase.DONE;
        if (isMaster()) {
            if (commitMaster != null) {
                commitMaster.abort(error.kind());
            } else if (initSent) {
                for (NodeId n : invited) {
                    if (!n.equals(self) && !lost.contains(n)) outbox.send(n, new Abort(error.kind(), List.copyOf(culprits.keySet())));
                }
            }
            return;
        }
        commitMember.end("generation " + key + " of key " + keyId);
        if (!refused && !abortedByMaster && !commitMember.isPrepared()
                && commitMember.state() != CommitMember.State.ORPHANED) {
            outbox.send(master, new Abort(error.kind(), List.copyOf(culprits.keySet())));
        }
    }

    @Override
    protected void onFinish() {
        if (dealer != null) dealer.destroy();
        pairs.values().forEach(SharePair::destroy);
        pairs.clear();
        for (GenerationMessage m : inbox.getOrDefault(Deal.class, Map.of()).values()) {
            Deal d = (Deal) m;
            d.f().destroy();
            d.g().destroy();
        }
        inbox.clear();
        reveals.clear();
    }
}
