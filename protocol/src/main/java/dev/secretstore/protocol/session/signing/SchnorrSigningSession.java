package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.HedgedNonces;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrNonce;
import dev.secretstore.crypto.threshold.SchnorrSignature;
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
import dev.secretstore.protocol.session.ConsensusVotes;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP endpoint 7: Schnorr signing with a server key (http-api.md §6.2; crypto.md §10.7, §11.4;
 * SEC-08, SEC-13).
 *
 * <p><b>Consensus.</b> As in document key retrieval: the master asks every connected holder of the
 * newest committed version (itself included) whether the requester may use the key; each answers from
 * its own ACL. Once {@code t+1} said yes the master picks the {@code t+1} lowest ids among them as the
 * group {@code Q}. When {@code t+1} yes can no longer happen: 403 {@code CONSENSUS_UNREACHABLE}.
 *
 * <p><b>Nested nonce generation (per attempt).</b> The master sends a fresh attempt id and {@code Q}.
 * Each member {@code i} draws a hedged degree-{@code t} polynomial {@code f_i}, keeps its free
 * coefficient {@code r_i} in a one-shot {@link SchnorrNonce}, sends {@code (A_i, f_i(x_j))} to every
 * other member {@code j} and {@code A_i} to the master. Each member checks every received share
 * against its dealer's Feldman vector ({@link Dkg#verifyFeldmanShare}) and reports the hashes of the
 * vectors it saw; the master checks those against the vectors it received (equivocation,
 * {@link Dkg#checkReportedHashes}). Only then does it ask for partials, with
 * {@code R_i = A_{i,0}} and {@code R = Σ R_i} fixed and verifiable.
 *
 * <p><b>Partials.</b> Each member answers at most one partial request per nonce; the nonce is destroyed
 * after use, after a failure and when the session ends (SEC-08). The master verifies every partial
 * (§11.4) and blames a bad one; a blamed, refusing, complaining or disconnected member is excluded and
 * the attempt restarts with a new group, attempt id and fresh nonces while {@code t+1} usable yes-sayers
 * remain. A Feldman complaint cannot be attributed without a transferable proof, so both the
 * complainer and the accused dealer are excluded. The combined signature is verified under {@code Y}
 * before it is released as {@code ecies(requester, c ‖ s)} (177 bytes).
 */
public final class SchnorrSigningSession extends AbstractSession<byte[]> {
    private static final Logger LOG = Logger.getLogger(SchnorrSigningSession.class.getName());
    /** {@code ecies(requester, c ‖ s)}: 113 bytes of overhead plus 64. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + SchnorrSignature.LENGTH;
    static final String NONCE_PURPOSE = "secretstore/v1/schnorr-nonce";

    private enum Phase { CONSENSUS, NONCE, PARTIALS, DONE }

    private final KeyStorage storage;
    private final AclChecker acl;
    private final Executor reentry;
    private final SecureRandom rng;
    private final H256 keyId;
    private final H256 messageHash;

    // ---- shared: the version used (master: newest committed; member: the one named in the consensus request)
    private KeyVersion version;
    private IdNumbers ids;
    private int threshold;

    // ---- master state
    private Requester requester;
    private KeyCommitments commitments;
    private final ConsensusVotes votes = new ConsensusVotes();
    private Phase phase = Phase.CONSENSUS;
    private H256 attemptId;
    private List<NodeId> group = List.of();
    private final Map<NodeId, CommitmentVector> nonceVectors = new HashMap<>();
    private final Map<NodeId, Map<NodeId, H256>> readyReports = new HashMap<>();
    private final Map<PublicPoint, PublicPoint> nonceCommitments = new TreeMap<>(dev.secretstore.crypto.threshold.NodeIds.ORDER);
    private PublicPoint aggregateNonce;
    private Scalar challenge;
    private final Map<NodeId, Scalar> partials = new HashMap<>();
    private int attempts;

    // ---- member state (holders, and the master when it is in the group)
    private boolean approved;
    private boolean voted;
    private List<NodeId> consensusGroup = List.of();
    private final Set<H256> answeredAttempts = new HashSet<>();
    private H256 memberAttempt;
    private List<NodeId> memberGroup = List.of();
    private SchnorrNonce nonce;
    private final Map<NodeId, CommitmentVector> memberVectors = new HashMap<>();
    private boolean memberFailed;
    private boolean readySent;
    /** Deals that arrived before their nonce request, by attempt and dealer; bounded by the consensus size. */
    private final Map<H256, Map<NodeId, SchnorrMessage.NonceDeal>> earlyDeals = new LinkedHashMap<>();

    private SchnorrSigningSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                  AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId, H256 messageHash) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.acl = acl;
        this.reentry = reentry;
        this.rng = rng;
        this.keyId = keyId;
        this.messageHash = messageHash;
    }

    // ================================================================== creation

    /**
     * Starts the master side; the returned session may already be finished (404, or too few connected
     * holders). {@code reentry} must be {@link ClusterSessions#reentry(SessionKey)} for {@code key}.
     */
    public static SchnorrSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                    KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                    H256 messageHash, SecureRandom rng) {
        NodeId self = cluster.self();
        Optional<KeyShare> share = storage.get(keyId);
        Set<NodeId> asked = new TreeSet<>();
        asked.add(self);
        KeyVersion version = null;
        if (share.isPresent()) {
            version = share.get().usableVersion(cluster::isConnected); // SEC-26
            for (NodeId holder : version.idNumbers().keySet()) {
                if (cluster.isConnected(holder)) asked.add(holder);
            }
        }
        SchnorrSigningSession s = new SchnorrSigningSession(key, self, asked, outbox, storage, acl, reentry, rng, keyId, messageHash);
        s.requester = requester;
        if (share.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        s.version = version;
        s.threshold = version.threshold();
        s.ids = version.thresholdIds();
        s.commitments = KeyCommitments.of(version.commitments());
        s.consensusGroup = List.copyOf(asked);
        s.voted = true;
        boolean holder = version.idNumbers().containsKey(self);
        if (!holder) s.votes.abstain(self); // coordinates without a vote
        if (s.checkReachable()) return s;
        PinnedBlock.pin(acl, s.reentry, block -> {
            if (s.isFinished()) return;
            s.broadcast(new SchnorrMessage.ConsensusRequest(keyId, requester.address(), s.version.hash(), messageHash, s.consensusGroup,
                    PinnedBlock.toWire(block)));
            if (holder) {
                s.askOwnAcl(requester.address(), block, allowed -> {
                    s.approved = allowed;
                    s.onVote(self, allowed);
                });
            }
        }, error -> {
            LOG.warning(() -> "ACL denied key " + keyId.toHex() + " in " + key + ": cannot pin a chain block: " + error);
            s.fail(SecretStoreException.of(Kind.INTERNAL, "cannot read the chain head for the ACL check")); // §2.4
        });
        return s;
    }

    /** The factory the session manager uses to create a holder's side from a {@link SchnorrMessage.ConsensusRequest}. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof SchnorrMessage.ConsensusRequest m)) return Optional.empty();
            NodeId self = cluster.self();
            if (!m.consensusGroup().contains(self) || !m.consensusGroup().contains(init.master())) return Optional.empty();
            // Every member of the consensus may deal nonce shares to this node.
            return Optional.of(new SchnorrSigningSession(init.key(), self, new TreeSet<>(m.consensusGroup()), outbox, storage, acl,
                    sessions.reentry(init.key()), rng, m.keyId(), m.messageHash()));
        };
    }


    /** Calls the ACL; any exceptional completion or missing answer is a denial (SEC-21). The answer comes back on the loop. */
    private void askOwnAcl(Address address, OptionalLong block, java.util.function.Consumer<Boolean> then) {
        java.util.concurrent.CompletionStage<AclChecker.Decision> stage;
        try {
            stage = acl.check(address, keyId, block);
        } catch (RuntimeException e) {
            stage = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        stage.whenCompleteAsync((decision, error) -> {
            boolean allowed = error == null && decision != null && decision.allowed();
            if (isMaster() && (error != null || decision == null || decision.error().isPresent())) {
                // acl-and-config.md §2.4: the master's own check failing is a 500, not a consensus refusal
                String detail = decision != null && decision.error().isPresent() ? decision.error().get()
                        : "ACL check failed: " + (error == null ? "no answer" : error.getClass().getSimpleName());
                LOG.warning(() -> "ACL check failed on the master for key " + keyId.toHex() + " in " + key + ": " + detail);
                fail(SecretStoreException.of(Kind.INTERNAL, detail));
                return;
            }
            LOG.info(() -> "ACL " + (allowed ? "allowed" : "denied") + " Schnorr signing with key " + keyId.toHex() + " for " + address
                    + " in " + key + " at " + (decision == null ? "error: " + error : decision.evaluatedAt()));
            if (!isFinished()) then.accept(allowed);
        }, reentry);
    }

    // ================================================================== routing

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof SchnorrMessage m) || from.equals(self)) return;
        if (isMaster()) {
            if (m instanceof SchnorrMessage.NonceDeal d) {
                onDeal(from, d); // the master as a group member
            } else {
                onMasterMessage(from, m);
            }
            return;
        }
        if (m instanceof SchnorrMessage.NonceDeal d) {
            onDeal(from, d);
        } else if (from.equals(key.master())) {
            onHolderMessage(m);
        }
    }

    private void toMaster(SchnorrMessage m) {
        if (isMaster()) {
            onMasterMessage(self, m);
        } else {
            outbox.send(key.master(), m);
        }
    }

    private void toMember(NodeId member, SchnorrMessage m) {
        if (member.equals(self)) {
            onHolderMessage(m);
        } else {
            outbox.send(member, m);
        }
    }

    // ================================================================== master

    private void onMasterMessage(NodeId from, SchnorrMessage m) {
        if (isFinished()) return;
        if (m instanceof SchnorrMessage.ConsensusResponse r) {
            if (!from.equals(self)) onVote(from, r.allowed());
        } else if (m instanceof SchnorrMessage.NonceCommitment c) {
            if (!current(c.attemptId(), from, Phase.NONCE) || nonceVectors.containsKey(from)) return;
            CommitmentVector v;
            try {
                v = CommitmentVector.of(c.feldman()).requireDegree(threshold, false, from.publicKey());
            } catch (RuntimeException e) {
                blame(from, "malformed nonce commitments: " + e.getMessage());
                return;
            }
            nonceVectors.put(from, v);
            maybeRequestPartials();
        } else if (m instanceof SchnorrMessage.NonceReady r) {
            if (!current(r.attemptId(), from, Phase.NONCE) || readyReports.containsKey(from)) return;
            Map<NodeId, H256> seen = new HashMap<>();
            for (SchnorrMessage.VectorHash h : r.received()) seen.put(h.dealer(), h.hash());
            if (!seen.keySet().equals(new HashSet<>(group))) {
                blame(from, "nonce report does not cover exactly the group");
                return;
            }
            readyReports.put(from, seen);
            maybeRequestPartials();
        } else if (m instanceof SchnorrMessage.NonceComplaint c) {
            if (!current(c.attemptId(), from, Phase.NONCE)) return;
            // Without a transferable proof the master cannot tell who lies: exclude both.
            NodeId accused = c.dealer();
            if (group.contains(accused) && !accused.equals(from)) {
                votes.exclude(accused);
                LOG.warning(() -> "Schnorr signing " + key + ": " + from.shortId() + " complains about the nonce deal of "
                        + accused.shortId() + "; both excluded");
            }
            blame(from, "Feldman complaint against " + accused.shortId());
        } else if (m instanceof SchnorrMessage.Partial p) {
            if (!current(p.attemptId(), from, Phase.PARTIALS) || partials.containsKey(from)) return;
            try {
                Schnorr.verifyPartial(from.publicKey(), p.partial(), ids, groupPoints(), commitments,
                        nonceCommitments.get(from.publicKey()), challenge);
            } catch (RuntimeException e) {
                blame(from, "invalid partial signature: " + e.getMessage());
                return;
            }
            partials.put(from, p.partial());
            maybeCombine();
        } else if (m instanceof SchnorrMessage.Refused r) {
            if (r.attemptId().equals(attemptId) && group.contains(from) && !partials.containsKey(from)) {
                blame(from, "refused the signing request");
            }
        }
        // holders never send the master's other messages
    }

    private boolean current(H256 attempt, NodeId from, Phase expected) {
        return phase == expected && attempt.equals(attemptId) && group.contains(from);
    }

    private List<PublicPoint> groupPoints() {
        return group.stream().map(NodeId::publicKey).toList();
    }

    private void onVote(NodeId from, boolean allowed) {
        if (isFinished() || !votes.record(from, allowed)) return; // duplicates
        if (phase == Phase.CONSENSUS && available().size() >= threshold + 1) {
            startAttempt();
        } else {
            checkReachable();
        }
    }

    private List<NodeId> available() {
        return votes.available();
    }

    private boolean checkReachable() {
        if (!votes.reachable(participants, threshold + 1)) {
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return true;
        }
        return false;
    }

    /** A fresh attempt: new group (lowest ids among usable yes-sayers), new attempt id, fresh nested nonce generation. */
    private void startAttempt() {
        clearAttempt();
        phase = Phase.NONCE;
        attempts++;
        group = List.copyOf(available().subList(0, threshold + 1));
        byte[] id = new byte[32];
        rng.nextBytes(id);
        attemptId = H256.fromBytes(id);
        H256 thisAttempt = attemptId;
        LOG.fine(() -> "Schnorr signing " + key + " attempt " + attempts + " with group " + group.stream().map(NodeId::shortId).toList());
        for (NodeId member : group) {
            if (isFinished() || !thisAttempt.equals(attemptId)) return;
            toMember(member, new SchnorrMessage.NonceRequest(thisAttempt, group));
        }
    }

    private void maybeRequestPartials() {
        if (phase != Phase.NONCE || nonceVectors.size() < group.size() || readyReports.size() < group.size()) return;
        for (NodeId dealer : group) {
            Map<PublicPoint, H256> reports = new HashMap<>();
            for (NodeId receiver : group) {
                if (!receiver.equals(dealer)) reports.put(receiver.publicKey(), readyReports.get(receiver).get(dealer));
            }
            try {
                Dkg.checkReportedHashes(dealer.publicKey(), nonceVectors.get(dealer), reports);
            } catch (RuntimeException e) {
                blame(dealer, "nonce commitments differ between receivers: " + e.getMessage());
                return;
            }
        }
        Map<PublicPoint, CommitmentVector> byDealer = new HashMap<>();
        nonceVectors.forEach((n, v) -> byDealer.put(n.publicKey(), v));
        nonceCommitments.putAll(Schnorr.nonceCommitments(byDealer, threshold));
        aggregateNonce = Schnorr.aggregateNonce(nonceCommitments.values());
        try {
            challenge = Schnorr.challenge(messageHash, aggregateNonce);
        } catch (CryptoException e) {
            startAttempt(); // c = 0 (negligible): fresh nonces
            return;
        }
        phase = Phase.PARTIALS;
        H256 thisAttempt = attemptId;
        for (NodeId member : group) {
            if (isFinished() || !thisAttempt.equals(attemptId)) return;
            toMember(member, new SchnorrMessage.PartialRequest(thisAttempt));
        }
    }

    private void maybeCombine() {
        if (phase != Phase.PARTIALS || partials.size() < group.size()) return;
        Map<PublicPoint, Scalar> byPoint = new HashMap<>();
        partials.forEach((n, p) -> byPoint.put(n.publicKey(), p));
        SchnorrSignature sig;
        try {
            // Checks every partial again and the whole signature under Y (§11.4); never release anything else.
            sig = Schnorr.combine(messageHash, ids, groupPoints(), commitments, byPoint, nonceCommitments);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Schnorr signing " + key + ": combined signature rejected: " + e.getMessage());
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        byte[] blob = Ecies.encryptToClient(requester.publicKey(), sig.toBytes());
        phase = Phase.DONE;
        succeed(blob);
    }

    /** Identifiable abort (crypto.md §11.3): exclude, log, restart with a fresh attempt and fresh nonces if possible. */
    private void blame(NodeId node, String reason) {
        if (isFinished()) return;
        votes.exclude(node);
        LOG.warning(() -> "Schnorr signing with key " + keyId.toHex() + " session " + key + ": node " + node.toHex()
                + " excluded (" + reason + ")");
        if ((phase == Phase.NONCE || phase == Phase.PARTIALS) && group.contains(node)) {
            phase = Phase.CONSENSUS;
            clearAttempt();
            if (available().size() >= threshold + 1) {
                startAttempt();
                return;
            }
        }
        checkReachable();
    }

    private void clearAttempt() {
        attemptId = null;
        group = List.of();
        nonceVectors.clear();
        readyReports.clear();
        nonceCommitments.clear();
        aggregateNonce = null;
        challenge = null;
        partials.clear();
    }

    // ================================================================== member (holder, or master in the group)

    private void onHolderMessage(SchnorrMessage m) {
        if (m instanceof SchnorrMessage.ConsensusRequest r) {
            onConsensusRequest(r);
        } else if (m instanceof SchnorrMessage.NonceRequest r) {
            onNonceRequest(r);
        } else if (m instanceof SchnorrMessage.PartialRequest r) {
            onPartialRequest(r);
        } else if (m instanceof SchnorrMessage.Done d && !isMaster()) {
            if (d.success()) {
                succeed(null);
            } else {
                fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            }
        }
    }

    private void onConsensusRequest(SchnorrMessage.ConsensusRequest r) {
        if (voted || !r.keyId().equals(keyId)) return; // duplicate
        voted = true;
        consensusGroup = r.consensusGroup();
        try {
            version = storage.get(keyId).flatMap(s -> s.version(r.version())).filter(v -> v.idNumbers().containsKey(self)).orElse(null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Schnorr signing " + key + ": cannot read key " + keyId.toHex() + ": " + e.getMessage());
            version = null;
        }
        if (version == null) {
            outbox.send(key.master(), new SchnorrMessage.ConsensusResponse(false));
            return;
        }
        threshold = version.threshold();
        ids = version.thresholdIds();
        askOwnAcl(r.requester(), PinnedBlock.fromWire(r.block()), allowed -> {
            approved = allowed;
            outbox.send(key.master(), new SchnorrMessage.ConsensusResponse(allowed));
        });
    }

    /** Why this node will not join the nonce generation of {@code r}, if it will not. */
    private Optional<String> refusal(SchnorrMessage.NonceRequest r) {
        if (!approved || version == null) return Optional.of("this node did not approve the request");
        if (!r.group().contains(self)) return Optional.of("not a member of the group");
        if (!consensusGroup.containsAll(r.group())) return Optional.of("group names a node outside the consensus");
        if (new HashSet<>(r.group()).size() != r.group().size()) return Optional.of("group lists a node twice");
        if (r.group().size() != threshold + 1) return Optional.of("group size is not t+1");
        return Optional.empty();
    }

    private void onNonceRequest(SchnorrMessage.NonceRequest r) {
        if (!answeredAttempts.add(r.attemptId())) return; // each attempt id is answered once
        dropMemberAttempt(); // a new attempt: the previous nonce is destroyed unused (SEC-08)
        Optional<String> refusal = refusal(r);
        if (refusal.isPresent()) {
            LOG.warning(() -> "Schnorr signing " + key + ": refused attempt " + r.attemptId() + " (" + refusal.get() + ")");
            toMaster(new SchnorrMessage.Refused(r.attemptId()));
            return;
        }
        H256 attempt = r.attemptId();
        memberAttempt = attempt;
        memberGroup = r.group();
        ProofContext ctx = new ProofContext(keyId, key.sessionId(), attempt, self.publicKey());
        Polynomial f = Polynomial.randomHedged(threshold, false, version.share(), HedgedNonces.context(ctx, NONCE_PURPOSE), rng);
        CommitmentVector a;
        try {
            nonce = SchnorrNonce.create(messageHash, f.constantTerm());
            a = f.feldman();
            memberVectors.put(self, a);
            for (NodeId other : memberGroup) {
                if (other.equals(self)) continue;
                SecretScalar share = f.evaluate(ids.of(other.publicKey()));
                try {
                    // The outbox encodes synchronously, so the share can be wiped right after.
                    outbox.send(other, new SchnorrMessage.NonceDeal(attempt, a.points(), share));
                } finally {
                    share.destroy();
                }
            }
        } finally {
            f.destroy();
        }
        toMaster(new SchnorrMessage.NonceCommitment(attempt, a.points()));
        if (!attempt.equals(memberAttempt)) return;
        Map<NodeId, SchnorrMessage.NonceDeal> early = earlyDeals.remove(attempt);
        clearEarlyDeals(); // deals for any other attempt are stale now
        if (early != null) {
            for (Map.Entry<NodeId, SchnorrMessage.NonceDeal> e : early.entrySet()) {
                if (!attempt.equals(memberAttempt)) break;
                onDeal(e.getKey(), e.getValue());
            }
        }
        maybeReady();
    }

    private void onDeal(NodeId from, SchnorrMessage.NonceDeal d) {
        try {
            if (!consensusGroup.contains(from)) return;
            if (!d.attemptId().equals(memberAttempt)) {
                if (answeredAttempts.contains(d.attemptId())) return; // stale attempt
                Map<NodeId, SchnorrMessage.NonceDeal> byDealer = earlyDeals.get(d.attemptId());
                if (byDealer == null) {
                    if (earlyDeals.size() >= consensusGroup.size()) return; // bounded buffer
                    byDealer = new HashMap<>();
                    earlyDeals.put(d.attemptId(), byDealer);
                }
                if (!byDealer.containsKey(from)) {
                    byDealer.put(from, new SchnorrMessage.NonceDeal(d.attemptId(), d.feldman(), d.share().copy()));
                }
                return;
            }
            if (memberFailed || readySent || !memberGroup.contains(from) || memberVectors.containsKey(from)) return; // duplicates
            CommitmentVector a = CommitmentVector.of(d.feldman());
            try {
                Dkg.verifyFeldmanShare(from.publicKey(), a, threshold, ids.of(self.publicKey()), d.share());
            } catch (RuntimeException e) {
                LOG.warning(() -> "Schnorr signing " + key + ": nonce deal from " + from.shortId() + " rejected: " + e.getMessage());
                memberFailed = true;
                destroyNonce();
                toMaster(new SchnorrMessage.NonceComplaint(memberAttempt, from));
                return;
            }
            memberVectors.put(from, a);
            maybeReady();
        } finally {
            d.share().destroy();
        }
    }

    private void maybeReady() {
        if (memberAttempt == null || memberFailed || readySent || memberVectors.size() < memberGroup.size()) return;
        readySent = true;
        List<SchnorrMessage.VectorHash> seen = new ArrayList<>();
        for (NodeId dealer : memberGroup) seen.add(new SchnorrMessage.VectorHash(dealer, memberVectors.get(dealer).hash()));
        toMaster(new SchnorrMessage.NonceReady(memberAttempt, seen));
    }

    private void onPartialRequest(SchnorrMessage.PartialRequest r) {
        if (!r.attemptId().equals(memberAttempt) || !readySent || memberFailed || nonce == null || nonce.isUsed()) {
            // SEC-08: at most one partial per nonce; an unknown, stale or repeated request is refused.
            LOG.warning(() -> "Schnorr signing " + key + ": refused partial request for attempt " + r.attemptId());
            toMaster(new SchnorrMessage.Refused(r.attemptId()));
            return;
        }
        Scalar ps;
        try {
            List<PublicPoint> r0 = new ArrayList<>();
            for (NodeId m : memberGroup) r0.add(memberVectors.get(m).get(0));
            PublicPoint aggregate = Schnorr.aggregateNonce(r0);
            ps = nonce.partialSign(messageHash, aggregate, ids, memberGroup.stream().map(NodeId::publicKey).toList(), threshold,
                    self.publicKey(), version.share());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Schnorr signing " + key + ": cannot compute partial: " + e.getMessage());
            toMaster(new SchnorrMessage.Refused(r.attemptId()));
            return;
        } finally {
            destroyNonce();
        }
        toMaster(new SchnorrMessage.Partial(r.attemptId(), ps));
    }

    private void destroyNonce() {
        if (nonce != null) {
            nonce.destroy();
            nonce = null;
        }
    }

    private void dropMemberAttempt() {
        destroyNonce();
        memberAttempt = null;
        memberGroup = List.of();
        memberVectors.clear();
        memberFailed = false;
        readySent = false;
    }

    private void clearEarlyDeals() {
        for (Map<NodeId, SchnorrMessage.NonceDeal> m : earlyDeals.values()) {
            for (SchnorrMessage.NonceDeal d : m.values()) d.share().destroy();
        }
        earlyDeals.clear();
    }

    // ================================================================== test hooks

    /** Master: nodes excluded from this request. */
    Set<NodeId> excludedNodes() {
        return votes.excluded();
    }

    /** Master: how many attempts (nested nonce generations) were started. */
    int attemptCount() {
        return attempts;
    }

    /** Member: true while this node holds an unused nonce. */
    boolean holdsNonce() {
        return nonce != null && !nonce.isUsed();
    }

    // ================================================================== lifecycle

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isFinished()) return;
        if (!isMaster()) {
            if (node.equals(key.master())) fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
            return;
        }
        if (node.equals(self)) return;
        if ((phase == Phase.NONCE || phase == Phase.PARTIALS) && group.contains(node)) {
            blame(node, "disconnected during the computation");
        } else if (votes.exclude(node)) {
            checkReachable();
        }
    }

    @Override
    protected void onFinish() {
        phase = Phase.DONE;
        dropMemberAttempt();
        clearEarlyDeals();
        if (isMaster()) {
            clearAttempt();
            for (NodeId n : participants) {
                if (!n.equals(self)) outbox.send(n, new SchnorrMessage.Done(!result().isDone() && failure().isEmpty()));
            }
        }
    }

    @Override
    public void fail(SecretStoreException error) {
        boolean wasFinished = isFinished();
        super.fail(error);
        if (!wasFinished && isMaster()) audit("failed: " + error.kind());
    }

    @Override
    protected void succeed(byte[] value) {
        boolean wasFinished = isFinished();
        super.succeed(value);
        if (!wasFinished && isMaster()) audit("succeeded after " + attempts + " attempt(s)");
    }

    /** SEC-29: one line per client request, no secrets. */
    private void audit(String outcome) {
        LOG.info(() -> "Schnorr signing key " + keyId.toHex() + " requester " + (requester == null ? "?" : requester.address())
                + " message " + messageHash.toHex() + " session " + key + ": " + outcome
                + (votes.excluded().isEmpty() ? "" : "; excluded " + votes.excluded().stream().map(NodeId::shortId).sorted().toList()));
    }
}
