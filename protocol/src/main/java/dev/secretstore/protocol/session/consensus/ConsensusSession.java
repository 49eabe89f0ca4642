package dev.secretstore.protocol.session.consensus;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.acl.PinnedBlock;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every session that uses a key on a requester's behalf shares (document key retrieval, Schnorr and
 * ECDSA signing): the ACL consensus among the key's holders, attempts, identifiable abort and the audit
 * line. Subclasses contain only their computation.
 *
 * <p><b>Master.</b> Asks every connected holder of the chosen version, itself included, at one pinned chain
 * block (acl-and-config.md §1, §2.3); each node answers from its own ACL, asynchronously, back on the
 * cluster loop (SEC-21: errors deny; the master's own failing check is a 500, §2.4). As soon as
 * {@link #groupSize()} usable yes votes exist it starts an attempt: the lowest node ids among them, a fresh
 * random attempt id, then {@link #beginAttempt()}. A member that fails verification, refuses or disconnects
 * during an attempt is excluded ({@link #blame}) and the attempt restarts with a new group and attempt id
 * while enough yes-sayers remain; otherwise 403 {@code CONSENSUS_UNREACHABLE} (crypto.md §11.3). One
 * audit line per request (SEC-29).
 *
 * <p><b>Member.</b> Says no without an ACL call when it lacks the version (or cannot use it,
 * {@link #usable}), otherwise asks its own ACL at the pinned block; answers each attempt id at most once
 * and only for a group of consensus nodes that contains it ({@link #groupRefusal}). The master takes part
 * as a member of its own group through {@link #toMember} / {@link #toMaster}, which hand its messages to
 * itself at once.
 *
 * @param <T> the master's result; members finish with {@code null}
 */
public abstract class ConsensusSession<T> extends AbstractSession<T> {
    /** Logs under the concrete session's name. */
    protected final Logger log = Logger.getLogger(getClass().getName());
    private final Set<NodeId> blamedNodes = new java.util.TreeSet<>();
    protected final KeyStorage storage;
    protected final AclChecker acl;
    protected final Executor reentry;
    protected final SecureRandom rng;
    protected final H256 keyId;
    /** Master: who asked (null on members). */
    protected final Requester requester;
    private final Wire wire;

    /** The version in use: the master's choice, or on a member the one named in the request once it holds it. */
    protected KeyVersion version;
    protected IdNumbers ids;
    protected int threshold;
    /** Master: the version's stored commitment vector (public shares {@code Y_i}, SEC-11). */
    protected KeyCommitments commitments;

    // ---- master
    private final ConsensusVotes votes = new ConsensusVotes();
    private H256 attemptId;
    private List<NodeId> group = List.of();
    private int attempts;

    // ---- member (holders, and the master in its own group)
    private boolean voted;
    private boolean approved;
    private Address approvedRequester;
    private List<NodeId> consensusGroup = List.of();
    private final Set<H256> answeredAttempts = new HashSet<>();

    /**
     * A session's own records: the message family it accepts, and constructors for the consensus answers the
     * base sends (each session keeps its wire names, so these are not shared records).
     */
    public record Wire(Class<? extends SessionMessage> family, Function<Boolean, SessionMessage> response,
                          Function<H256, SessionMessage> refused, Function<Boolean, SessionMessage> done) {}

    protected ConsensusSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, Wire wire,
                               KeyStorage storage, AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId,
                               Requester requester) {
        super(key, self, participants, outbox);
        this.wire = wire;
        this.storage = storage;
        this.acl = acl;
        this.reentry = reentry;
        this.rng = rng;
        this.keyId = keyId;
        this.requester = requester;
    }

    // ================================================================== what a session adds

    /** How logs name the computation ("decryption", "Schnorr signing", …). */
    protected abstract String label();

    /** The audit line's subject (SEC-29); the label unless overridden. */
    protected String auditSubject() {
        return label();
    }

    /** Audit fields after the requester (no secrets), e.g. {@code " message <hash>"}. */
    protected String auditDetail() {
        return "";
    }

    /** Members per attempt: {@code t+1}, or {@code 2t+1} for ECDSA. */
    protected abstract int groupSize();

    /** Whether a member holding {@code held} can take part at all; if not it says no without an ACL call. */
    protected boolean usable(KeyVersion held) {
        return true;
    }

    /** The session's consensus request (its initialization message) for the chosen version. */
    protected abstract SessionMessage consensusRequest(List<NodeId> consensusGroup, long block);

    /** Master: a fresh attempt ({@link #attemptId()}, {@link #group()}) starts; ask the group for its contributions. */
    protected abstract void beginAttempt();

    /** Master: the attempt is over (restart or end of the session); drop and wipe its state. */
    protected abstract void dropAttemptState();

    /** Master: whether {@code member} already made its last contribution to this attempt (a refusal then changes nothing). */
    protected abstract boolean contributed(NodeId member);

    /**
     * Every message that is not part of the consensus. {@code from} is this node for what it sends itself
     * as master and group member; requests must come from the master, answers only matter on the master.
     */
    protected abstract void onComputationMessage(NodeId from, SessionMessage message);

    /** The session ended: wipe what this node holds as a member. */
    protected void releaseMemberSecrets() {}

    /**
     * Master: members of the running attempt whose message the attempt still waits for and whose silence is
     * their fault; when the session stalls they are named and excluded. None unless a session says so.
     */
    protected Set<NodeId> awaited() {
        return Set.of();
    }

    // ================================================================== creation

    /** Master: the stored key, the version a request uses (SEC-26) and whom it asks: itself and every connected holder. */
    protected record Located(Optional<KeyShare> share, KeyVersion version, Set<NodeId> asked) {}

    /** {@code needed}: the connected holders a version must have to be chosen. */
    protected static Located locate(ClusterView cluster, KeyStorage storage, H256 keyId, ToIntFunction<KeyShare> needed) {
        Optional<KeyShare> share = storage.get(keyId);
        Set<NodeId> asked = new TreeSet<>();
        asked.add(cluster.self());
        KeyVersion version = share.map(s -> s.usableVersion(cluster::isConnected, needed.applyAsInt(s))).orElse(null);
        if (version != null) {
            for (NodeId holder : version.idNumbers().keySet()) {
                if (cluster.isConnected(holder)) asked.add(holder);
            }
        }
        return new Located(share, version, asked);
    }

    /** Builds a member's session from the master's consensus request; refuses one that does not name this node and the master. */
    @FunctionalInterface
    protected interface MemberConstructor<R> {
        ConsensusSession<?> create(SessionKey key, NodeId self, R request, Outbox outbox);
    }

    protected static <R extends ConsensusMessage.Request> ClusterSessions.SlaveFactory memberFactory(
            ClusterView cluster, Class<R> requestType, MemberConstructor<R> constructor) {
        return (init, outbox) -> {
            if (!requestType.isInstance(init.body())) return Optional.empty();
            R m = requestType.cast(init.body());
            NodeId self = cluster.self();
            if (!m.consensusGroup().contains(self) || !m.consensusGroup().contains(init.master())) return Optional.empty();
            return Optional.of(constructor.create(init.key(), self, m, outbox));
        };
    }

    /**
     * Master: uses {@code chosen}, abstains when it holds no share of it, and fails at once (403) when
     * {@link #groupSize()} yes votes cannot happen among the nodes asked: {@code ConsensusTemporaryUnreachable}
     * when the version has enough holders but too few are connected, {@code ConsensusUnreachable} otherwise.
     * True if the consensus can go on.
     */
    protected final boolean openConsensus(KeyVersion chosen) {
        adopt(chosen);
        commitments = chosen.keyCommitments();
        voted = true;
        approvedRequester = requester.address();
        consensusGroup = List.copyOf(participants);
        if (!holdsVersion()) votes.abstain(self); // coordinates without a vote
        if (!votes.reachable(participants, groupSize()) && chosen.idNumbers().size() >= groupSize()) {
            // Enough holders exist but too few are connected now: the accurate, temporary variant (http-api.md §8 notes).
            fail(SecretStoreException.of(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
            return false;
        }
        return !checkReachable();
    }

    /** Master: pins the chain block, asks every other node of the consensus, and its own ACL if it holds the version. */
    protected final void askConsensus() {
        pinBlock(block -> {
            broadcast(consensusRequest(consensusGroup, PinnedBlock.toWire(block)));
            if (holdsVersion()) {
                askOwnAcl(requester.address(), block, allowed -> {
                    approved = allowed;
                    onVote(self, allowed);
                });
            }
        });
    }

    /**
     * Master: picks the chain block every member checks at (acl-and-config.md §2.3) and continues with it:
     * before this returns when the head is known (every checker without a chain), otherwise on the loop. A
     * head the checker cannot give is a 500 (§2.4, SEC-21).
     */
    protected final void pinBlock(Consumer<OptionalLong> then) {
        PinnedBlock.pin(acl, reentry, block -> {
            if (!isFinished()) then.accept(block);
        }, error -> {
            if (isFinished()) return;
            log.warning(() -> "ACL denied key " + keyId.toHex() + " for " + requester.address() + " in " + key
                    + ": cannot pin a chain block: " + error);
            fail(SecretStoreException.of(Kind.INTERNAL, "cannot read the chain head for the ACL check"));
        });
    }

    /**
     * Asks this node's own ACL; any exceptional completion or missing answer is a denial (SEC-21). The
     * answer comes back on the loop, is logged with its chain view, and reaches {@code then} unless the
     * session ended. On the master a failing check ends the request with a 500 instead (§2.4).
     */
    protected final void askOwnAcl(Address address, OptionalLong block, Consumer<Boolean> then) {
        CompletionStage<AclChecker.Decision> stage;
        try {
            stage = acl.check(address, keyId, block);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenCompleteAsync((decision, error) -> {
            boolean allowed = error == null && decision != null && decision.allowed();
            if (isMaster() && (error != null || decision == null || decision.error().isPresent())) {
                String detail = decision != null && decision.error().isPresent() ? decision.error().get()
                        : "ACL check failed: " + (error == null ? "no answer" : error.getClass().getSimpleName());
                log.warning(() -> "ACL check failed on the master for key " + keyId.toHex() + " in " + key + ": " + detail);
                fail(SecretStoreException.of(Kind.INTERNAL, detail));
                return;
            }
            log.info(() -> "ACL " + (allowed ? "allowed" : "denied") + " " + label() + " with key " + keyId.toHex() + " for "
                    + address + " in " + key + " at " + (decision == null ? "error: " + error : decision.evaluatedAt()));
            if (!isFinished()) then.accept(allowed);
        }, reentry);
    }

    private void adopt(KeyVersion v) {
        version = v;
        threshold = v.threshold();
        ids = v.thresholdIds();
    }

    protected final boolean holdsVersion() {
        return version != null && version.idNumbers().containsKey(self);
    }

    // ================================================================== routing

    @Override
    public final void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || from.equals(self) || !wire.family().isInstance(message)) return;
        route(from, message);
    }

    private void route(NodeId from, SessionMessage m) {
        boolean fromMaster = from.equals(key.master());
        if (m instanceof ConsensusMessage.Request r) {
            if (fromMaster && !isMaster()) onConsensusRequest(r);
        } else if (m instanceof ConsensusMessage.Response r) {
            if (isMaster()) onVote(from, r.allowed());
        } else if (m instanceof ConsensusMessage.Refused r) {
            if (isMaster() && inAttempt(r.attemptId(), from) && !contributed(from)) blame(from, "refused the " + label() + " request");
        } else if (m instanceof ConsensusMessage.Done d) {
            if (fromMaster && !isMaster()) {
                if (d.success()) {
                    succeed(null);
                } else {
                    fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
                }
            }
        } else {
            onComputationMessage(from, m);
        }
    }

    /** To the master; on the master (a member of its own group) handled at once. */
    protected final void toMaster(SessionMessage m) {
        if (!isMaster()) {
            outbox.send(key.master(), m);
        } else if (!isFinished()) {
            route(self, m);
        }
    }

    /** Master: to one member of the group; to itself handled at once. */
    protected final void toMember(NodeId member, SessionMessage m) {
        if (!member.equals(self)) {
            outbox.send(member, m);
        } else if (!isFinished()) {
            route(self, m);
        }
    }

    /** Master: the same message to every member of the attempt, in order; stops if that ended or restarted the attempt. */
    protected final void toGroup(SessionMessage m) {
        H256 attempt = attemptId;
        for (NodeId member : group) {
            if (!stillCurrent(attempt)) return;
            toMember(member, m);
        }
    }

    // ================================================================== master: votes and attempts

    private void onVote(NodeId from, boolean allowed) {
        if (isFinished() || !votes.record(from, allowed)) return; // duplicates
        if (group.isEmpty() && votes.available().size() >= groupSize()) {
            startAttempt();
        } else {
            checkReachable();
        }
    }

    /** Fails with 403 once {@link #groupSize()} usable yes votes can no longer happen; true if it failed. */
    private boolean checkReachable() {
        if (!votes.reachable(participants, groupSize())) {
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return true;
        }
        return false;
    }

    /** A fresh attempt: new group (lowest ids among usable yes-sayers), new random attempt id. */
    private void startAttempt() {
        endAttempt();
        attempts++;
        group = List.copyOf(votes.available().subList(0, groupSize()));
        byte[] id = new byte[32];
        rng.nextBytes(id);
        attemptId = H256.fromBytes(id);
        log.fine(() -> label() + " " + key + " attempt " + attempts + " with group " + group.stream().map(NodeId::shortId).toList());
        beginAttempt();
    }

    /** Master: the attempt cannot finish through nobody's fault (a zero challenge or aggregate): again, with fresh randomness. */
    protected final void restartAttempt() {
        startAttempt();
    }

    private void endAttempt() {
        attemptId = null;
        group = List.of();
        dropAttemptState();
    }

    /**
     * Identifiable abort (crypto.md §11.3): excludes {@code node} from this request and logs why; if it was
     * in the running attempt, restarts with a new group and attempt id while enough yes-sayers remain;
     * 403 once they cannot.
     */
    protected final void blame(NodeId node, String reason) {
        if (isFinished() || votes.isExcluded(node)) return;
        votes.exclude(node);
        blamedNodes.add(node);
        log.warning(() -> label() + " with key " + keyId.toHex() + " session " + key + ": node " + node.toHex()
                + " excluded (" + reason + ")");
        if (group.contains(node)) {
            endAttempt();
            if (votes.available().size() >= groupSize()) {
                startAttempt();
                return;
            }
        }
        checkReachable();
    }

    /** Excludes {@code node} from later groups without restarting (the caller blames another node next). */
    protected final void exclude(NodeId node) {
        votes.exclude(node);
    }

    /** Master: the running attempt's id, or null between attempts. */
    protected final H256 attemptId() {
        return attemptId;
    }

    /** Master: the running attempt's group in ascending node id order, empty between attempts. */
    protected final List<NodeId> group() {
        return group;
    }

    /** Master: {@code attempt} is the running attempt and {@code member} is in its group. */
    protected final boolean inAttempt(H256 attempt, NodeId member) {
        return attemptId != null && attemptId.equals(attempt) && group.contains(member);
    }

    /** Master: the session goes on and {@code attempt} is still the running attempt. */
    protected final boolean stillCurrent(H256 attempt) {
        return !isFinished() && attempt != null && attempt.equals(attemptId);
    }

    /** Master: the members' node ids of the running attempt, in group order. */
    protected final List<PublicPoint> groupPoints() {
        return group.stream().map(NodeId::publicKey).toList();
    }

    /** {@code values} keyed by the nodes' public keys, as the threshold math takes them. */
    protected static <V> Map<PublicPoint, V> byPoint(Map<NodeId, V> values) {
        Map<PublicPoint, V> out = new HashMap<>();
        values.forEach((node, v) -> out.put(node.publicKey(), v));
        return out;
    }

    /** What proofs of {@code prover} in {@code attempt} are bound to (SEC-16). */
    protected final ProofContext proofContext(H256 attempt, NodeId prover) {
        return new ProofContext(keyId, key.sessionId(), attempt, prover.publicKey());
    }

    /** Master: nodes excluded from this request (blamed, refused, disconnected); for the audit line and tests. */
    public final Set<NodeId> excludedNodes() {
        return votes.excluded();
    }

    /** Master: nodes blamed for a faulty contribution (crypto.md §11.3); counted in the node's metrics. */
    @Override
    public final Set<NodeId> blamed() {
        return java.util.Collections.unmodifiableSet(blamedNodes);
    }

    /** Master: how many attempts were started. */
    public final int attemptCount() {
        return attempts;
    }

    // ================================================================== member

    private void onConsensusRequest(ConsensusMessage.Request r) {
        if (voted || !r.keyId().equals(keyId)) return; // duplicate
        voted = true;
        approvedRequester = r.requester();
        consensusGroup = r.consensusGroup();
        KeyVersion held;
        try {
            held = storage.get(keyId).flatMap(s -> s.version(r.version())).filter(v -> v.idNumbers().containsKey(self)).orElse(null);
        } catch (RuntimeException e) {
            // A damaged store cannot serve this key; answer no at once rather than leaving the master waiting.
            log.log(Level.WARNING, label() + " " + key + ": cannot read key " + keyId.toHex() + ": " + e.getMessage());
            held = null;
        }
        if (held == null || !usable(held)) {
            // acl-and-config.md §1: a node without the chosen version says no without calling the ACL.
            outbox.send(key.master(), wire.response().apply(false));
            return;
        }
        adopt(held);
        askOwnAcl(r.requester(), PinnedBlock.fromWire(r.block()), allowed -> {
            approved = allowed;
            outbox.send(key.master(), wire.response().apply(allowed));
        });
    }

    /** Member: the requester this node approved (or was asked about). */
    protected final Address approvedRequester() {
        return approvedRequester;
    }

    /** Member: every node of the consensus (the only ones that may be in a group or deal to this node). */
    protected final List<NodeId> consensusGroup() {
        return consensusGroup;
    }

    /** Member: true the first time {@code attempt} is asked for; each attempt id is answered once (SEC-18). */
    protected final boolean firstRequest(H256 attempt) {
        return answeredAttempts.add(attempt);
    }

    /** Member: why this node will not contribute to an attempt with {@code group}, if it will not. */
    protected final Optional<String> groupRefusal(List<NodeId> g) {
        if (!approved) return Optional.of("this node did not approve the request");
        if (!g.contains(self)) return Optional.of("not a member of the group");
        if (!consensusGroup.containsAll(g)) return Optional.of("group names a node outside the consensus");
        if (new HashSet<>(g).size() != g.size()) return Optional.of("group lists a node twice");
        return Optional.empty();
    }

    /** The session's refusal of {@code attempt}. */
    protected final SessionMessage refused(H256 attempt) {
        return wire.refused().apply(attempt);
    }

    /** Member: if there is a {@code reason}, logs it and refuses {@code attempt}; true if it refused. */
    protected final boolean refuseIf(H256 attempt, Optional<String> reason) {
        if (reason.isEmpty()) return false;
        log.warning(() -> label() + " " + key + ": refused attempt " + attempt + " (" + reason.get() + ")");
        toMaster(refused(attempt));
        return true;
    }

    // ================================================================== lifecycle

    @Override
    public final void onNodeDisconnected(NodeId node) {
        if (isFinished()) return;
        if (!isMaster()) {
            if (node.equals(key.master())) fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        if (node.equals(self)) return;
        if (group.contains(node)) {
            blame(node, "disconnected during the computation");
        } else if (votes.exclude(node)) {
            // An undecided voter counts as no; a spare yes-sayer is no longer usable.
            checkReachable();
        }
    }

    /** Stalled (SEC-19): the master names the members it still waits for ({@link #awaited}), then the request ends. */
    @Override
    public final void onTimeout() {
        if (isMaster() && !isFinished()) {
            for (NodeId node : awaited()) {
                if (votes.exclude(node)) {
                    log.warning(() -> label() + " with key " + keyId.toHex() + " session " + key + ": node " + node.toHex()
                            + " excluded (no answer before the stall timeout)");
                }
            }
        }
        fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
    }

    @Override
    protected final void onFinish() {
        releaseMemberSecrets();
        if (isMaster()) {
            endAttempt();
            boolean success = !result().isDone() && failure().isEmpty();
            for (NodeId n : participants) {
                if (!n.equals(self)) outbox.send(n, wire.done().apply(success));
            }
        }
    }

    @Override
    public final void fail(SecretStoreException error) {
        boolean wasFinished = isFinished();
        super.fail(error);
        if (!wasFinished && isMaster()) audit("failed: " + error.kind());
    }

    @Override
    protected final void succeed(T value) {
        boolean wasFinished = isFinished();
        super.succeed(value);
        if (!wasFinished && isMaster()) audit("succeeded after " + attempts + " attempt(s)");
    }

    /** SEC-29: one line per client request, no secrets. */
    private void audit(String outcome) {
        log.info(() -> auditSubject() + " key " + keyId.toHex() + " requester " + (requester == null ? "?" : requester.address())
                + auditDetail() + " session " + key + ": " + outcome
                + (votes.excluded().isEmpty() ? "" : "; excluded " + votes.excluded().stream().map(NodeId::shortId).sorted().toList()));
    }
}
