package dev.secretstore.protocol.session.refresh;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
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
import dev.secretstore.protocol.session.commit.CommitMaster;
import dev.secretstore.protocol.session.commit.CommitMember;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.dealing.FeldmanDealing;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Proactive refresh of one server key (SEC-40): every connected holder of the key's latest version gets a
 * new share of the same secret, the old shares are erased, so shares stolen before and after a refresh never
 * combine. Same {@code Y}, same holders and id numbers, new commitments, a new version id.
 *
 * <ol>
 *   <li><b>Group.</b> The master (a holder of the latest version) sends {@link RefreshMessage.Init} to itself
 *       and every connected holder of that version; at least {@code quorum} ({@code t+1} and a majority of the
 *       holders) are needed. Holders that are down
 *       keep the old version; the repair component gives them the new one later. A member that cannot take part
 *       yet (it lacks the version and awaits repair, the master is behind it, another write of the key runs there)
 *       refuses at once with {@code TooEarlyForRequest}, and the session ends at once, retryably, naming it in
 *       {@link #notReady()} ({@link KeyRefresher} tries the key again later).</li>
 *   <li><b>Zero-sharing</b> ({@link FeldmanDealing}, one {@code Sharing(purpose, t, zero = true)}, commit-then-
 *       reveal, Feldman-checked, equivocation-checked). A culprit (bad deal, complaint, equivocation, wrong
 *       reveal, refusal, lost connection) is excluded and named, and a new attempt starts with the rest while
 *       a quorum remains.</li>
 *   <li><b>New version.</b> Each member computes {@code s' = s + Σ_d z_d(x_self)} and
 *       {@code A'_k = A_k + Σ_d Z_{d,k}} ({@code A'_0 = A_0 = Y}) from the agreed vectors, as
 *       {@link VersionMetadata#withNonce} with the attempt id as nonce, and prepares it
 *       ({@link KeyStorage#prepareVersion}, which checks {@code s'·G = Y'_self}, SEC-11). It reports the id; an id
 *       that differs from the master's is a culprit.</li>
 *   <li><b>Two-phase commit</b> ({@link CommitMaster}, {@link CommitMember}) over the write-set {@code {keyId}}:
 *       the master decides only when every member prepared; no decision, nothing visible.</li>
 *   <li><b>Cleanup.</b> Once every member acknowledged, each removes the key's older versions with the same id
 *       numbers ({@link KeyStorage#removeVersion}; the storage erases them securely, SEC-26). If a member was
 *       lost after the decision, cleanup is skipped: the old version stays until a later refresh removes it.</li>
 * </ol>
 * Requests keep using the old version until enough members hold the new one committed (the key-use consensus
 * picks only versions every group member holds committed). A member that prepared and lost the master keeps
 * its row invisible for the recovery path ({@code session/resolution}); repeating a refresh refreshes again.
 *
 * <p><b>Who may start one.</b> Any member of the cluster (authenticated by the transport): the schedule runs
 * on every node without an administrator. A refresh cannot change {@code Y}, the holders or the threshold, and
 * a member checks every contribution itself; the on-demand trigger is gated by the administrator's signature
 * on the node that receives it ({@link RefreshAuthorization}).
 */
public final class KeyRefreshSession extends AbstractSession<KeyRefreshSession.Refreshed> {
    private static final Logger LOG = Logger.getLogger(KeyRefreshSession.class.getName());
    /** Hedging purpose of the zero-sharing polynomials (SEC-08). */
    static final String ZERO_PURPOSE = "secretstore/v1/refresh-zero";

    /**
     * The master's result: the key, its old and new version, whether the old version was removed everywhere,
     * and the members that were excluded (and keep the old version).
     */
    public record Refreshed(H256 keyId, H256 oldVersion, H256 newVersion, boolean oldRemoved, List<Culprit> excluded) {
        public Refreshed {
            excluded = List.copyOf(excluded);
        }
    }

    private enum Phase { DEALING, PREPARING, COMMITTING, CLEANING, DONE }

    private final ClusterView cluster;
    private final KeyStorage storage;
    private final SecureRandom rng;
    /** Whether another session on this node may still write a key (never true for this session's own key use). */
    private final Predicate<H256> writing;
    private H256 keyId;
    private H256 oldVersionId;

    // ---- member state (the master is a member too, through its own queue)
    private VersionMetadata oldVersion;
    private FeldmanDealing.Member dealer;
    private OwnShare ownShare;
    private CommitMember commitMember;
    private H256 memberAttempt;

    // ---- master state
    private final Set<NodeId> excluded = new HashSet<>();
    private final List<Culprit> culprits = new ArrayList<>();
    /** Members (this node included) that could not take part yet; the session ended retryably because of them. */
    private final Set<NodeId> notReady = new TreeSet<>();
    private int threshold;
    /** The smallest group an attempt may have: {@code quorum}. */
    private int needed;
    private Phase phase = Phase.DEALING;
    private H256 attempt;
    private List<NodeId> group = List.of();
    private FeldmanDealing.Master dealing;
    private VersionMetadata planned;
    private CommitMaster commit;
    private final Set<NodeId> prepared = new HashSet<>();
    /** Members whose dealing report ({@code Ready}) of the running attempt arrived. */
    private final Set<NodeId> reported = new HashSet<>();
    private final Set<NodeId> lostAfterDecision = new HashSet<>();
    private final Set<NodeId> cleaned = new HashSet<>();
    private int attempts;

    private KeyRefreshSession(SessionKey key, ClusterView cluster, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                              Predicate<H256> writing, SecureRandom rng) {
        super(key, cluster.self(), participants, outbox);
        this.cluster = cluster;
        this.storage = storage;
        this.writing = writing;
        this.rng = rng;
    }

    // ================================================================== creation

    /**
     * Starts a refresh of {@code keyId} on this node, which must hold the key's latest version. {@code exclude}:
     * members not to ask (named by an earlier attempt). The returned session may already have failed:
     * {@code ServerKeyIsNotFound}, {@code TooEarlyForRequest} (an unresolved prepared write of the key here, or
     * this node lacks the latest version), {@code ConsensusTemporaryUnreachable} (fewer than {@code t+1}
     * connected holders). {@code writing}: {@link ClusterSessions#isWriting}, so that two sessions never change one key
     * at once on a member.
     */
    public static KeyRefreshSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage, H256 keyId,
                                                Collection<NodeId> exclude, Predicate<H256> writing, SecureRandom rng) {
        Optional<KeyMetadata> meta = storage.metadata(keyId); // public data only
        SortedSet<NodeId> group = new TreeSet<>();
        VersionMetadata latest = meta.map(KeyMetadata::latestVersion).orElse(null);
        if (latest != null) {
            for (NodeId holder : latest.idNumbers().keySet()) {
                if ((holder.equals(cluster.self()) || cluster.isConnected(holder)) && !exclude.contains(holder)) group.add(holder);
            }
        }
        KeyRefreshSession s = new KeyRefreshSession(key, cluster, group, outbox, storage, writing, rng);
        s.keyId = keyId;
        if (meta.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        s.oldVersionId = latest.id();
        s.threshold = latest.threshold();
        exclude.forEach(n -> { if (latest.isHolder(n)) s.excluded.add(n); });
        if (s.threshold == 0) {
            // no sharing to re-randomise: with t = 0 every holder's share is the whole secret
            s.fail(SecretStoreException.of(Kind.INTERNAL, "a key with threshold 0 cannot be refreshed"));
            return s;
        }
        if (!latest.isHolder(cluster.self()) || storage.pendingKeyIds().contains(keyId)) {
            s.notReady.add(cluster.self());
            s.fail(SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST));
            return s;
        }
        s.needed = quorum(latest);
        if (group.size() < s.needed) {
            LOG.warning(() -> "refresh of key " + keyId + " " + key + ": only " + group.size() + " connected holder(s), "
                    + s.needed + " needed");
            s.fail(SecretStoreException.of(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
            return s;
        }
        for (NodeId n : group) outbox.send(n, new RefreshMessage.Init(keyId, s.oldVersionId));
        s.beginAttempt();
        return s;
    }

    /** The factory the session manager uses on the other holders: a session per {@link RefreshMessage.Init} from a cluster member. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof RefreshMessage.Init m) || !cluster.members().contains(init.master())) return Optional.empty();
            // Also without the version (this member missed it and awaits repair, or the master is behind this member): the
            // session then answers the master's dealing request with a prompt refusal (onRequest) instead of leaving the
            // master to wait for its stall timeout (issue #17 defect 2).
            Set<NodeId> participants = new TreeSet<>(List.of(cluster.self(), init.master()));
            storage.metadata(m.keyId()).flatMap(k -> k.version(m.version())).ifPresent(v -> participants.addAll(v.idNumbers().keySet()));
            return Optional.of(new KeyRefreshSession(init.key(), cluster, participants, outbox, storage, sessions::isWriting, rng));
        };
    }

    /**
     * The fewest members a refresh of {@code v} runs with: {@code t+1}, and more than half of the version's holders.
     * The majority makes any two groups that could commit a refresh of the version share a member, and a member
     * prepares at most one new version of a key and only from its newest one, so the holders never split between
     * two new versions (a partition, or two refreshes started at once); members left out keep the old version.
     */
    static int quorum(VersionMetadata v) {
        return Math.max(v.threshold() + 1, v.idNumbers().size() / 2 + 1);
    }

    private static FeldmanDealing.Sharing sharing(int t) {
        return new FeldmanDealing.Sharing(ZERO_PURPOSE, t, true);
    }

    // ================================================================== dispatch

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished()) return;
        boolean fromMaster = from.equals(key.master());
        if (message instanceof DealingMessage d) {
            onDealing(from, fromMaster, d);
        } else if (message instanceof RefreshMessage m) {
            if (isMaster()) {
                if (onMasterMessage(from, m)) return;
            }
            if (fromMaster) onFromMaster(m);
        }
    }

    private void onDealing(NodeId from, boolean fromMaster, DealingMessage d) {
        if (d instanceof DealingMessage.Request r) {
            if (fromMaster) onRequest(r);
        } else if (d instanceof DealingMessage.Hashes h) {
            if (fromMaster && dealer != null) dealer.reveal(h).ifPresent(reason -> refuse(h.attemptId(), Kind.INVALID_MESSAGE, reason));
        } else if (d instanceof DealingMessage.Deal deal) {
            if (dealer == null) {
                deal.shares().forEach(SecretScalar::destroy);
                return;
            }
            dealer.onDeal(from, deal).ifPresent(reason -> LOG.warning(() -> "refresh " + key + ": " + reason));
        } else if (isMaster() && dealing != null) {
            if (d instanceof DealingMessage.Hash h) {
                dealing.onHash(from, h).ifPresent(hashes -> toGroup(hashes));
            } else if (d instanceof DealingMessage.Commitment c) {
                step(dealing.onCommitment(from, c));
            } else if (d instanceof DealingMessage.Ready r) {
                if (inAttempt(r.attemptId(), from)) reported.add(from);
                step(dealing.onReady(from, r));
            } else if (d instanceof DealingMessage.Complaint c) {
                step(dealing.onComplaint(from, c));
            }
        }
    }

    // ================================================================== member

    private void onFromMaster(RefreshMessage m) {
        if (m instanceof RefreshMessage.Init init) {
            if (keyId == null || isMaster()) {
                keyId = init.keyId();
                oldVersionId = init.version();
            }
        } else if (m instanceof RefreshMessage.Prepare p) {
            onPrepare(p);
        } else if (m instanceof RefreshMessage.Commit c) {
            if (commitMember != null && c.attemptId().equals(memberAttempt)) commitMember.onCommit(key.master(), Set.of(keyId));
        } else if (m instanceof RefreshMessage.AbortAttempt a) {
            if (commitMember != null && a.attemptId().equals(memberAttempt)) commitMember.onAbort(key.master());
            dropMember();
        } else if (m instanceof RefreshMessage.Cleanup c) {
            onCleanup(c);
        } else if (m instanceof RefreshMessage.Done d) {
            if (isMaster()) return;
            if (d.success()) {
                succeed(null);
            } else {
                fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            }
        }
    }

    /** A new attempt: checks the group, reads this node's checked share once, and deals its zero-sharing. */
    private void onRequest(DealingMessage.Request r) {
        if (keyId == null || r.attemptId().equals(memberAttempt)) return;
        if (commitMember != null && commitMember.isPrepared()) {
            commitMember.onAbort(key.master()); // the master moved on without deciding: nothing of the old attempt stays
        }
        commitMember = null;
        dropMember();
        memberAttempt = r.attemptId();
        Optional<KeyMetadata> meta = storage.metadata(keyId);
        oldVersion = meta.flatMap(k -> k.version(r.version())).orElse(null);
        String problem = null;
        String notYet = null; // this member cannot take part now, and will be able to (repair, resolution, another write ends)
        if (!r.version().equals(oldVersionId)) {
            problem = "version " + r.version() + " is not the one the session was started for";
        } else if (oldVersion == null) {
            notYet = "version " + r.version() + " is not held committed here (a version this member missed awaits repair)";
        } else if (!r.group().contains(self) || !r.group().contains(key.master()) || r.group().size() < quorum(oldVersion)
                || !r.group().stream().allMatch(oldVersion::isHolder) || new HashSet<>(r.group()).size() != r.group().size()) {
            problem = "the group is not a quorum of distinct holders of the version with this node and the master";
        } else if (!meta.get().latestVersion().id().equals(r.version())) {
            notYet = "version " + r.version() + " is not the newest version held here (the master awaits repair)";
        } else if (storage.pendingKeyIds().contains(keyId) || writing.test(keyId)) {
            notYet = "another write of the key is running or awaits resolution";
        }
        if (problem != null) {
            refuse(r.attemptId(), Kind.INVALID_MESSAGE, problem);
            return;
        }
        if (notYet != null) {
            refuse(r.attemptId(), Kind.TOO_EARLY_FOR_REQUEST, notYet);
            return;
        }
        ownShare = storage.read(keyId, r.version()).flatMap(KeyRead::share).orElse(null);
        if (ownShare == null) {
            refuse(r.attemptId(), Kind.DATABASE, "share of version " + r.version() + " cannot be read");
            return;
        }
        dealer = new FeldmanDealing.Member(List.of(sharing(oldVersion.threshold())), self, key.master(), r.attemptId(), r.group(),
                oldVersion.thresholdIds(), true, outbox::send);
        dealer.start(ownShare.share(), new ProofContext(keyId, key.sessionId(), r.attemptId(), self.publicKey()), rng, own -> { });
    }

    /** The dealing agreed: s' = s + Σ z, A' = A + Σ Z, prepared durably; the version id goes to the master. */
    private void onPrepare(RefreshMessage.Prepare p) {
        H256 a = p.attemptId();
        if (dealer == null || !a.equals(memberAttempt) || !dealer.ready() || commitMember != null) {
            refuse(a, Kind.INVALID_STATE_FOR_REQUEST, "no complete dealing for this attempt");
            return;
        }
        if (storage.pendingKeyIds().contains(keyId)) {
            refuse(a, Kind.TOO_EARLY_FOR_REQUEST, "an earlier prepared write of the key awaits resolution");
            return;
        }
        if (!storage.metadata(keyId).map(k -> k.latestVersion().id().equals(oldVersion.id())).orElse(false)) {
            refuse(a, Kind.TOO_EARLY_FOR_REQUEST, "the key has a newer version than " + oldVersion.id() + " here now");
            return;
        }
        KeyVersion next;
        try {
            Map<PublicPoint, CommitmentVector> zero = new HashMap<>();
            for (NodeId d : dealer.group()) zero.put(d.publicKey(), dealer.vectors(d).get(0));
            VersionMetadata meta = refreshed(oldVersion, zero, a);
            List<SecretScalar> sums = dealer.takeSums();
            SecretScalar share = ownShare.share().add(sums.get(0));
            sums.forEach(SecretScalar::destroy);
            next = new KeyVersion(meta, share);
        } catch (RuntimeException e) {
            refuse(a, Kind.INVALID_MESSAGE, "cannot compute the new version: " + e.getMessage());
            return;
        }
        H256 id = next.id();
        commitMember = new CommitMember(storage, key.master(), new CommitMember.Wire() {
            @Override
            public void prepared() {
                outbox.send(key.master(), new RefreshMessage.Prepared(a, id));
            }

            @Override
            public void refused(Kind reason) {
                outbox.send(key.master(), new RefreshMessage.Refused(a, reason));
            }

            @Override
            public void committed() {
                outbox.send(key.master(), new RefreshMessage.Committed(a));
            }
        });
        try {
            commitMember.prepare(Set.of(keyId), () -> storage.prepareVersion(keyId, next)); // SEC-11: the storage checks s'·G = Y'_self
            // the new share is the storage's now
        } catch (SecretStoreException e) {
            next.share().destroy();
            LOG.warning(() -> "refresh " + key + ": cannot prepare the new version of key " + keyId + ": " + e.getMessage());
        } finally {
            dropMember();
        }
    }

    /** Every member committed the new version: the key's older versions with the same holders go (securely erased by the storage). */
    private void onCleanup(RefreshMessage.Cleanup c) {
        if (!c.attemptId().equals(memberAttempt)) return;
        Optional<KeyMetadata> meta = storage.metadata(keyId);
        Optional<VersionMetadata> kept = meta.flatMap(k -> k.version(c.version()));
        if (kept.isPresent()) {
            for (VersionMetadata v : meta.get().versions()) {
                if (!v.id().equals(c.version()) && v.idNumbers().equals(kept.get().idNumbers())) storage.removeVersion(keyId, v.id());
            }
        } else {
            LOG.warning(() -> "refresh " + key + ": key " + keyId + " lacks version " + c.version() + "; nothing removed");
        }
        outbox.send(key.master(), new RefreshMessage.CleanedUp(c.attemptId()));
    }

    private void refuse(H256 attemptId, Kind reason, String why) {
        LOG.warning(() -> "refresh " + key + " of key " + keyId + ": refused attempt " + attemptId + " (" + why + ")");
        dropMember();
        outbox.send(key.master(), new RefreshMessage.Refused(attemptId, reason));
    }

    /** Wipes the member's dealing and drops the old share (the storage's read result, owned by the storage as in every session). */
    private void dropMember() {
        if (dealer != null) dealer.destroy();
        dealer = null;
        ownShare = null;
    }

    /**
     * The refreshed version: {@code A'_0 = A_0}, {@code A'_k = A_k + Σ_d Z_{d,k}} for {@code k = 1..t}, the same id
     * numbers, {@code nonce} in the id. Every member and the master compute it from the agreed vectors.
     */
    static VersionMetadata refreshed(VersionMetadata old, Map<PublicPoint, CommitmentVector> zeroByDealer, H256 nonce) {
        int t = old.threshold();
        CommitmentVector zero = Dkg.aggregateZero(zeroByDealer, t);
        List<PublicPoint> a = new ArrayList<>(old.commitments());
        for (int k = 1; k <= t; k++) a.set(k, new PointSum().add(a.get(k)).add(zero.get(k)).toPoint());
        return VersionMetadata.withNonce(old.idNumbers(), a, nonce);
    }

    // ================================================================== master

    private boolean inAttempt(H256 a, NodeId from) {
        return attempt != null && attempt.equals(a) && group.contains(from);
    }

    /** Handles the master-only messages; false if the message is for the member role. */
    private boolean onMasterMessage(NodeId from, RefreshMessage m) {
        if (m instanceof RefreshMessage.Prepared p) {
            if (phase == Phase.PREPARING && inAttempt(p.attemptId(), from)) onPrepared(from, p);
        } else if (m instanceof RefreshMessage.Refused r) {
            if (inAttempt(r.attemptId(), from) && (phase == Phase.DEALING || phase == Phase.PREPARING)) {
                if (r.reason() == Kind.TOO_EARLY_FOR_REQUEST) {
                    notReady(from);
                } else {
                    blame(List.of(new Culprit(from, Culprit.Reason.REFUSED, "refused the refresh: " + r.reason())));
                }
            }
        } else if (m instanceof RefreshMessage.Committed c) {
            if (phase == Phase.COMMITTING && inAttempt(c.attemptId(), from) && commit.onAck(from)) afterCommit();
        } else if (m instanceof RefreshMessage.CleanedUp c) {
            if (phase == Phase.CLEANING && inAttempt(c.attemptId(), from)) {
                cleaned.add(from);
                if (cleaned.containsAll(group)) finish(true);
            }
        } else {
            return false;
        }
        return true;
    }

    private void toGroup(SessionMessage m) {
        for (NodeId n : group) outbox.send(n, m);
    }

    /** A fresh attempt with every participant not excluded and still connected; fails when fewer than a quorum remain. */
    private void beginAttempt() {
        List<NodeId> next = new ArrayList<>();
        for (NodeId n : participants) {
            if (!excluded.contains(n) && (n.equals(self) || cluster.isConnected(n))) next.add(n);
        }
        if (excluded.contains(self) || next.size() < needed) {
            boolean lostOnly = culprits.stream().allMatch(Culprit::lost);
            fail(SecretStoreException.of(lostOnly ? Kind.CONSENSUS_TEMPORARY_UNREACHABLE : Kind.CONSENSUS_UNREACHABLE));
            return;
        }
        attempts++;
        byte[] id = new byte[32];
        rng.nextBytes(id);
        attempt = H256.fromBytes(id);
        group = List.copyOf(next);
        phase = Phase.DEALING;
        planned = null;
        commit = null;
        prepared.clear();
        reported.clear();
        dealing = new FeldmanDealing.Master(List.of(sharing(threshold)), attempt, group);
        LOG.fine(() -> "refresh of key " + keyId + " " + key + " attempt " + attempts + " with " + group.stream().map(NodeId::shortId).toList());
        toGroup(dealing.request(oldVersionId));
    }

    private void step(FeldmanDealing.Step s) {
        if (s instanceof FeldmanDealing.Blame b) {
            // The master checked the deal itself: its own complaint names only the dealer.
            List<Culprit> found = b.culprits().stream().filter(c -> !c.node().equals(self)).toList();
            if (!found.isEmpty()) blame(found);
        } else if (s instanceof FeldmanDealing.Agreed a) {
            agreed(a.vectors());
        }
    }

    /** The zero-sharings agreed: the master computes the version every member must report, then asks them to prepare it. */
    private void agreed(Map<NodeId, List<CommitmentVector>> vectors) {
        dealing = null;
        VersionMetadata old = storage.metadata(keyId).flatMap(k -> k.version(oldVersionId)).orElse(null);
        if (old == null) {
            fail(SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST)); // the old version went away meanwhile
            return;
        }
        Map<PublicPoint, CommitmentVector> zero = new HashMap<>();
        vectors.forEach((d, v) -> zero.put(d.publicKey(), v.get(0)));
        try {
            planned = refreshed(old, zero, attempt);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "refresh " + key + ": aggregate commitments degenerate, trying again", e);
            abortAndRestart(Kind.INTERNAL);
            return;
        }
        phase = Phase.PREPARING;
        H256 a = attempt;
        commit = new CommitMaster(storage, self, Set.of(keyId), new HashSet<>(group), participants, new CommitMaster.Wire() {
            @Override
            public void commit(NodeId member, Set<H256> keys) {
                outbox.send(member, new RefreshMessage.Commit(a));
            }

            @Override
            public void abort(NodeId node, Kind reason) {
                outbox.send(node, new RefreshMessage.AbortAttempt(a, reason));
            }
        });
        toGroup(new RefreshMessage.Prepare(attempt));
    }

    private void onPrepared(NodeId from, RefreshMessage.Prepared p) {
        if (!p.version().equals(planned.id())) {
            blame(List.of(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION, "prepared version " + p.version() + " differs from the agreed one")));
            return;
        }
        commit.onPrepared(from);
        prepared.add(from);
        if (!commit.allPrepared()) return;
        phase = Phase.COMMITTING;
        commit.commit(); // the master's own Commit comes back through its queue like everyone's
    }

    private void afterCommit() {
        if (!lostAfterDecision.isEmpty()) {
            // SEC-26: the old version stays until every member of the new one committed; a later refresh removes it
            LOG.warning(() -> "refresh of key " + keyId + " " + key + ": committed, but " + lostAfterDecision.stream().map(NodeId::shortId).toList()
                    + " lost after the decision; old version " + oldVersionId + " kept for now");
            finish(false);
            return;
        }
        phase = Phase.CLEANING;
        toGroup(new RefreshMessage.Cleanup(attempt, planned.id()));
    }

    private void finish(boolean oldRemoved) {
        phase = Phase.DONE;
        Refreshed r = new Refreshed(keyId, oldVersionId, planned.id(), oldRemoved, culprits);
        LOG.info(() -> "refresh of key " + keyId + " " + key + " done after " + attempts + " attempt(s): version " + oldVersionId + " -> "
                + planned.id() + (culprits.isEmpty() ? "" : "; excluded " + culprits));
        broadcast(new RefreshMessage.Done(true));
        dropMember();
        succeed(r);
    }

    /**
     * A member answered that it cannot take part yet ({@code TooEarlyForRequest}: it lacks the version and awaits its
     * repair, the master is behind it, or another write of the key runs there). Before the decision: the attempt is
     * aborted and the session ends at once, retryably, naming the member in {@link #notReady()}, so the refresher can try
     * the key again a moment later with every holder, or, if the member stays unready, without it ({@link KeyRefresher}).
     * Not a culprit: a member that refuses this way can only delay the refresher's wait, like a member that is down.
     */
    private void notReady(NodeId node) {
        notReady.add(node);
        LOG.info(() -> "refresh of key " + keyId + " " + key + ": member " + node.shortId() + " is not ready for it yet");
        fail(SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST));
    }

    /** Culprits are excluded and named; before the decision the attempt is aborted and restarted with the rest. */
    private void blame(List<Culprit> found) {
        for (Culprit c : found) {
            if (excluded.add(c.node())) {
                culprits.add(c);
                LOG.warning(() -> "refresh of key " + keyId + " " + key + ": " + c.node().toHex() + " excluded: " + c.reason() + " (" + c.detail() + ")");
            }
        }
        if (phase == Phase.COMMITTING || phase == Phase.CLEANING) {
            for (Culprit c : found) {
                if (commit.onMemberLost(c.node())) {
                    lostAfterDecision.add(c.node());
                    afterCommit();
                    return;
                }
                lostAfterDecision.add(c.node());
            }
            if (phase == Phase.CLEANING) finish(false);
            return;
        }
        abortAndRestart(found.get(found.size() - 1).reason() == Culprit.Reason.DISCONNECTED ? Kind.NODE_DISCONNECTED : Kind.INVALID_MESSAGE);
    }

    private void abortAndRestart(Kind reason) {
        abortUndecided(reason);
        beginAttempt();
    }

    /** Before the decision: every member discards what it prepared for the running attempt (the master's member role too). */
    private void abortUndecided(Kind reason) {
        if (commit != null && commit.abort(reason) && commitMember != null && commitMember.isPrepared()) commitMember.onAbort(self);
        if (commit == null && attempt != null) {
            for (NodeId n : group) {
                if (!n.equals(self)) outbox.send(n, new RefreshMessage.AbortAttempt(attempt, reason));
            }
        }
        dropMember();
        dealing = null;
    }

    // ================================================================== lifecycle

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isFinished()) return;
        if (!isMaster()) {
            if (node.equals(key.master())) fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        if (group.contains(node) && !excluded.contains(node)) {
            blame(List.of(new Culprit(node, Culprit.Reason.DISCONNECTED, "disconnected during the refresh")));
        } else {
            excluded.add(node);
        }
    }

    /** Stalled (SEC-19): the master names the members it still waits for, then the session ends (a later refresh goes without them). */
    @Override
    public void onTimeout() {
        if (isMaster() && !isFinished()) {
            Set<NodeId> awaited = new LinkedHashSet<>();
            if (phase == Phase.DEALING && dealing != null) awaited.addAll(stalledDealing());
            if (phase == Phase.PREPARING) group.stream().filter(n -> !prepared.contains(n)).forEach(awaited::add);
            for (NodeId n : awaited) {
                if (excluded.add(n)) culprits.add(new Culprit(n, Culprit.Reason.NO_ANSWER, "no answer before the stall timeout"));
            }
            if (phase == Phase.COMMITTING || phase == Phase.CLEANING) {
                finish(false); // decided: committed where acknowledged, the rest resolve through the recovery path
                return;
            }
        }
        fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
    }

    /**
     * Whom a stalled dealing names: members that never committed or never revealed; else the dealers whose deal the
     * master's own member role still lacks (the master trusts itself); else the members that never reported. A dealer
     * that withholds its deal from one other member only gets that member named, which lets the repeat complete
     * without it (it keeps the old version until repaired): the master cannot tell which of the two is at fault.
     */
    private Set<NodeId> stalledDealing() {
        Set<NodeId> out = new LinkedHashSet<>(dealing.awaited());
        if (!out.isEmpty()) return out;
        if (dealer != null && dealer.attempt().equals(attempt)) {
            for (NodeId d : group) {
                if (!d.equals(self) && dealer.vectors(d) == null) out.add(d);
            }
        }
        if (!out.isEmpty()) return out;
        for (NodeId n : group) {
            if (!reported.contains(n)) out.add(n);
        }
        return out;
    }

    @Override
    public void fail(SecretStoreException error) {
        super.fail(isMaster() && error.culprits().isEmpty() && !culprits.isEmpty() ? error.withCulprits(culprits) : error);
    }

    /**
     * Nothing decided is undone. The master aborts an undecided attempt everywhere and ends every member's
     * session; a member keeps a prepared row it got no decision for (the recovery path decides it).
     */
    @Override
    protected void onFailure(SecretStoreException error) {
        if (isMaster()) {
            if (phase != Phase.COMMITTING && phase != Phase.CLEANING) abortUndecided(error.kind());
            broadcast(new RefreshMessage.Done(false));
        }
        if (commitMember != null) commitMember.end("refresh " + key + " of key " + keyId);
        dropMember();
    }

    @Override
    protected void onFinish() {
        if (!isMaster()) dropMember();
    }

    @Override
    public Set<H256> writesKeys() {
        if (isFinished() || keyId == null) return Set.of();
        boolean writing = (commitMember != null && commitMember.isPrepared()) || (commit != null && !commit.writeSet().isEmpty())
                || phase == Phase.PREPARING || phase == Phase.COMMITTING || dealer != null;
        return writing ? Set.of(keyId) : Set.of();
    }

    @Override
    public Set<NodeId> blamed() {
        Set<NodeId> out = new TreeSet<>();
        for (Culprit c : culprits) {
            if (!c.lost()) out.add(c.node());
        }
        return out;
    }

    /** Master: the nodes excluded so far, with why. */
    public List<Culprit> culprits() {
        return List.copyOf(culprits);
    }

    /** Master: the members, this node included, that could not take part yet ({@link #notReady(NodeId)}); empty unless it failed so. */
    public Set<NodeId> notReady() {
        return Set.copyOf(notReady);
    }

    /** Master: how many attempts were started. */
    public int attemptCount() {
        return attempts;
    }

    public H256 keyId() {
        return keyId;
    }
}
