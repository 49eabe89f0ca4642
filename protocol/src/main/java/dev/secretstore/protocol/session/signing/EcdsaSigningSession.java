package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.HedgedNonces;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.crypto.threshold.ThresholdEcdsa;
import dev.secretstore.crypto.threshold.ThresholdEcdsaSignature;
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
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP endpoint 8: ECDSA signing with a server key (http-api.md §6.2; crypto.md §10.8, §11.5; SEC-08,
 * SEC-14).
 *
 * <p>A key with {@code 2t ≥ N} is refused with 403 {@code CONSENSUS_UNREACHABLE} at once, before any
 * ACL call or sub-protocol. Otherwise an ACL consensus as for Schnorr, but of {@code 2t+1} holders; the
 * group is the {@code 2t+1} lowest ids among the yes-sayers. For {@code t = 0} the master signs locally
 * with its share ({@link Ecdsa#sign}) once its own ACL allowed it; a master without the key cannot.
 *
 * <p><b>Per attempt</b> (fresh attempt id): each member deals three hedged polynomials to the others —
 * nonce {@code k} and inversion nonce {@code e} of degree {@code t}, zero of degree {@code 2t} — with
 * their Feldman vectors; receivers check every share ({@link Dkg#verifyFeldmanShare},
 * {@link Dkg#verifyZeroShare}) and report what they saw; the master checks for equivocation, aggregates
 * the vectors ({@code R = Σ A^k_{i,0}}, public shares {@code K_i}, {@code E_i}, {@code Z_i}), collects
 * {@code u_i} with their DLEQ proofs ({@link ThresholdEcdsa#verifyU}; a bad one is blamed and the attempt
 * restarts with fresh nonces), sends {@code u⁻¹}, collects {@code ss_i}, combines and verifies; the
 * signature must also recover to {@code Y} ({@link Ecdsa#recover}). A bad combined signature is a
 * terminal failure (no retry with the same nonces; a bad {@code ss_i} is not attributable, §11.5).
 * Members compute {@code u_i} and {@code ss_i} at most once per nonce sharing (SEC-08).
 */
public final class EcdsaSigningSession extends AbstractSession<byte[]> {
    private static final Logger LOG = Logger.getLogger(EcdsaSigningSession.class.getName());
    /** {@code ecies(requester, r ‖ s ‖ v)}: 113 bytes of overhead plus 65. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + ThresholdEcdsaSignature.LENGTH;

    private enum Phase { CONSENSUS, NONCE, U, SHARES, DONE }

    /** The three Feldman vectors of one dealer. */
    private record Vectors(CommitmentVector k, CommitmentVector e, CommitmentVector z) {
        static Vectors checked(NodeId dealer, List<PublicPoint> k, List<PublicPoint> e, List<PublicPoint> z, int t) {
            return new Vectors(CommitmentVector.of(k).requireDegree(t, false, dealer.publicKey()),
                    CommitmentVector.of(e).requireDegree(t, false, dealer.publicKey()),
                    new CommitmentVector(z, true).requireDegree(2 * t, true, dealer.publicKey()));
        }

        H256 hash() {
            return H256.fromBytes(Keccak256.hash(k.hash().toBytes(), e.hash().toBytes(), z.hash().toBytes()));
        }
    }

    private final KeyStorage storage;
    private final AclChecker acl;
    private final Executor reentry;
    private final SecureRandom rng;
    private final H256 keyId;
    private final H256 messageHash;

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
    private final Map<NodeId, Vectors> dealerVectors = new HashMap<>();
    private final Map<NodeId, Map<NodeId, H256>> readyReports = new HashMap<>();
    private KeyCommitments nonceAggregate;
    private KeyCommitments inversionAggregate;
    private CommitmentVector zeroAggregate;
    private final Map<NodeId, Scalar> us = new HashMap<>();
    private final Map<NodeId, Scalar> signatureShares = new HashMap<>();
    private int attempts;

    // ---- member state
    private boolean approved;
    private boolean voted;
    private List<NodeId> consensusGroup = List.of();
    private final Set<H256> answeredAttempts = new HashSet<>();
    private H256 memberAttempt;
    private List<NodeId> memberGroup = List.of();
    private final Map<NodeId, Vectors> memberVectors = new HashMap<>();
    private final List<SecretScalar[]> receivedShares = new ArrayList<>();
    private ThresholdEcdsa.NonceShares nonceShares;
    private boolean memberFailed;
    private boolean readySent;
    private boolean uSent;
    private boolean signed;
    private final Map<H256, Map<NodeId, EcdsaMessage.NonceDeal>> earlyDeals = new LinkedHashMap<>();

    private EcdsaSigningSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
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

    /** Starts the master side; may already be finished (404; 403 for {@code 2t ≥ N} or too few connected holders). */
    public static EcdsaSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                  KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                  H256 messageHash, SecureRandom rng) {
        NodeId self = cluster.self();
        Optional<KeyShare> share = storage.get(keyId);
        Set<NodeId> asked = new TreeSet<>();
        asked.add(self);
        // SEC-26: the newest version with 2t+1 connected holders
        KeyVersion version = share.map(sh -> sh.usableVersion(cluster::isConnected, 2 * sh.threshold() + 1)).orElse(null);
        boolean honestMajority = version != null && 2 * version.threshold() < version.idNumbers().size();
        if (honestMajority) {
            for (NodeId holder : version.idNumbers().keySet()) {
                if (cluster.isConnected(holder)) asked.add(holder);
            }
        }
        EcdsaSigningSession s = new EcdsaSigningSession(key, self, asked, outbox, storage, acl, reentry, rng, keyId, messageHash);
        s.requester = requester;
        if (version == null) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        if (!honestMajority) {
            // SEC-14: refused at once, no ACL call and no sub-protocol.
            s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return s;
        }
        s.version = version;
        s.threshold = version.threshold();
        s.ids = version.thresholdIds();
        s.commitments = KeyCommitments.of(version.commitments());
        s.consensusGroup = List.copyOf(asked);
        s.voted = true;
        boolean holder = version.idNumbers().containsKey(self);
        if (!holder) s.votes.abstain(self);
        if (s.checkReachable()) return s;
        if (s.threshold == 0) {
            // t = 0: the master signs locally with its share (every share equals x); its own ACL decides.
            if (!holder) {
                s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
                return s;
            }
            PinnedBlock.pin(acl, s.reentry, block -> s.askOwnAcl(requester.address(), block, allowed -> {
                if (allowed) {
                    s.signLocally();
                } else {
                    s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
                }
            }), error -> s.fail(SecretStoreException.of(Kind.INTERNAL, "cannot read the chain head for the ACL check")));
            return s;
        }
        PinnedBlock.pin(acl, s.reentry, block -> {
            if (s.isFinished()) return;
            s.broadcast(new EcdsaMessage.ConsensusRequest(keyId, requester.address(), s.version.hash(), messageHash, s.consensusGroup,
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

    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof EcdsaMessage.ConsensusRequest m)) return Optional.empty();
            NodeId self = cluster.self();
            if (!m.consensusGroup().contains(self) || !m.consensusGroup().contains(init.master())) return Optional.empty();
            return Optional.of(new EcdsaSigningSession(init.key(), self, new TreeSet<>(m.consensusGroup()), outbox, storage, acl,
                    sessions.reentry(init.key()), rng, m.keyId(), m.messageHash()));
        };
    }

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
            LOG.info(() -> "ACL " + (allowed ? "allowed" : "denied") + " ECDSA signing with key " + keyId.toHex() + " for " + address
                    + " in " + key + " at " + (decision == null ? "error: " + error : decision.evaluatedAt()));
            if (!isFinished()) then.accept(allowed);
        }, reentry);
    }

    private void signLocally() {
        RecoverableSignature sig = Ecdsa.sign(version.share(), messageHash);
        release(sig.toBytes());
    }

    /** The signature must recover to Y before it is released (§11.5). */
    private void release(byte[] signature) {
        PublicPoint recovered;
        try {
            recovered = Ecdsa.recover(RecoverableSignature.fromBytes(signature), messageHash);
        } catch (RuntimeException e) {
            recovered = null;
        }
        if (!version.commitments().get(0).equals(recovered)) {
            LOG.warning(() -> "ECDSA signing " + key + ": signature does not recover to the server key; not released");
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        byte[] blob = Ecies.encryptToClient(requester.publicKey(), signature);
        phase = Phase.DONE;
        succeed(blob);
    }

    // ================================================================== routing

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof EcdsaMessage m) || from.equals(self)) return;
        if (m instanceof EcdsaMessage.NonceDeal d) {
            onDeal(from, d);
        } else if (isMaster()) {
            onMasterMessage(from, m);
        } else if (from.equals(key.master())) {
            onMemberMessage(m);
        }
    }

    private void toMaster(EcdsaMessage m) {
        if (isMaster()) {
            onMasterMessage(self, m);
        } else {
            outbox.send(key.master(), m);
        }
    }

    private void toMember(NodeId member, EcdsaMessage m) {
        if (member.equals(self)) {
            onMemberMessage(m);
        } else {
            outbox.send(member, m);
        }
    }

    // ================================================================== master

    private int groupSize() {
        return 2 * threshold + 1;
    }

    private void onMasterMessage(NodeId from, EcdsaMessage m) {
        if (isFinished()) return;
        if (m instanceof EcdsaMessage.ConsensusResponse r) {
            if (!from.equals(self)) onVote(from, r.allowed());
        } else if (m instanceof EcdsaMessage.NonceCommitment c) {
            if (!current(c.attemptId(), from, Phase.NONCE) || dealerVectors.containsKey(from)) return;
            Vectors v;
            try {
                v = Vectors.checked(from, c.nonceVector(), c.inversionVector(), c.zeroVector(), threshold);
            } catch (RuntimeException e) {
                blame(from, "malformed nonce commitments: " + e.getMessage());
                return;
            }
            dealerVectors.put(from, v);
            maybeRequestU();
        } else if (m instanceof EcdsaMessage.NonceReady r) {
            if (!current(r.attemptId(), from, Phase.NONCE) || readyReports.containsKey(from)) return;
            Map<NodeId, H256> seen = new HashMap<>();
            for (SchnorrMessage.VectorHash h : r.received()) seen.put(h.dealer(), h.hash());
            if (!seen.keySet().equals(new HashSet<>(group))) {
                blame(from, "nonce report does not cover exactly the group");
                return;
            }
            readyReports.put(from, seen);
            maybeRequestU();
        } else if (m instanceof EcdsaMessage.NonceComplaint c) {
            if (!current(c.attemptId(), from, Phase.NONCE)) return;
            NodeId accused = c.dealer();
            if (group.contains(accused) && !accused.equals(from)) {
                votes.exclude(accused);
                LOG.warning(() -> "ECDSA signing " + key + ": " + from.shortId() + " complains about the deal of " + accused.shortId()
                        + "; both excluded");
            }
            blame(from, "Feldman complaint against " + accused.shortId());
        } else if (m instanceof EcdsaMessage.UShare u) {
            if (!current(u.attemptId(), from, Phase.U) || us.containsKey(from)) return;
            try {
                ThresholdEcdsa.UShare share = new ThresholdEcdsa.UShare(u.u(), DleqProof.fromBytes(from.publicKey(), u.proof()));
                ThresholdEcdsa.verifyU(context(from), ids, nonceAggregate, inversionAggregate, zeroAggregate, share);
            } catch (RuntimeException e) {
                blame(from, "invalid u_i or proof: " + e.getMessage());
                return;
            }
            us.put(from, u.u());
            maybeRequestShares();
        } else if (m instanceof EcdsaMessage.SignatureShare s) {
            if (!current(s.attemptId(), from, Phase.SHARES) || signatureShares.containsKey(from)) return;
            signatureShares.put(from, s.share());
            maybeCombine();
        } else if (m instanceof EcdsaMessage.Refused r) {
            if (r.attemptId().equals(attemptId) && group.contains(from) && !signatureShares.containsKey(from)) {
                blame(from, "refused the signing request");
            }
        }
    }

    private ProofContext context(NodeId prover) {
        return new ProofContext(keyId, key.sessionId(), attemptId, prover.publicKey());
    }

    private boolean current(H256 attempt, NodeId from, Phase expected) {
        return phase == expected && attempt.equals(attemptId) && group.contains(from);
    }

    private List<PublicPoint> groupPoints() {
        return group.stream().map(NodeId::publicKey).toList();
    }

    private void onVote(NodeId from, boolean allowed) {
        if (isFinished() || !votes.record(from, allowed)) return; // duplicates
        if (phase == Phase.CONSENSUS && available().size() >= groupSize()) {
            startAttempt();
        } else {
            checkReachable();
        }
    }

    private List<NodeId> available() {
        return votes.available();
    }

    private boolean checkReachable() {
        int needed = threshold == 0 ? 1 : groupSize();
        if (!votes.reachable(participants, needed)) {
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return true;
        }
        return false;
    }

    private void startAttempt() {
        clearAttempt();
        phase = Phase.NONCE;
        attempts++;
        group = List.copyOf(available().subList(0, groupSize()));
        byte[] id = new byte[32];
        rng.nextBytes(id);
        attemptId = H256.fromBytes(id);
        H256 thisAttempt = attemptId;
        for (NodeId member : group) {
            if (isFinished() || !thisAttempt.equals(attemptId)) return;
            toMember(member, new EcdsaMessage.NonceRequest(thisAttempt, group));
        }
    }

    private void maybeRequestU() {
        if (phase != Phase.NONCE || dealerVectors.size() < group.size() || readyReports.size() < group.size()) return;
        for (NodeId dealer : group) {
            H256 own = dealerVectors.get(dealer).hash();
            for (NodeId receiver : group) {
                if (!receiver.equals(dealer) && !own.equals(readyReports.get(receiver).get(dealer))) {
                    blame(dealer, "equivocation: " + receiver.shortId() + " reports different nonce commitments");
                    return;
                }
            }
        }
        Map<PublicPoint, CommitmentVector> k = new HashMap<>();
        Map<PublicPoint, CommitmentVector> e = new HashMap<>();
        Map<PublicPoint, CommitmentVector> z = new HashMap<>();
        dealerVectors.forEach((n, v) -> {
            k.put(n.publicKey(), v.k());
            e.put(n.publicKey(), v.e());
            z.put(n.publicKey(), v.z());
        });
        try {
            nonceAggregate = Dkg.aggregate(k, threshold);
            inversionAggregate = Dkg.aggregate(e, threshold);
            zeroAggregate = Dkg.aggregateZero(z, 2 * threshold);
        } catch (RuntimeException ex) {
            startAttempt(); // an infinite aggregate (negligible for honest dealers): fresh nonces
            return;
        }
        phase = Phase.U;
        H256 thisAttempt = attemptId;
        for (NodeId member : group) {
            if (isFinished() || !thisAttempt.equals(attemptId)) return;
            toMember(member, new EcdsaMessage.URequest(thisAttempt));
        }
    }

    private void maybeRequestShares() {
        if (phase != Phase.U || us.size() < group.size()) return;
        Map<PublicPoint, Scalar> byPoint = new HashMap<>();
        us.forEach((n, u) -> byPoint.put(n.publicKey(), u));
        Scalar uInverse;
        try {
            uInverse = ThresholdEcdsa.invertU(ids, groupPoints(), threshold, byPoint);
        } catch (RuntimeException ex) {
            fail(SecretStoreException.of(Kind.INTERNAL, "u is zero"));
            return;
        }
        phase = Phase.SHARES;
        H256 thisAttempt = attemptId;
        for (NodeId member : group) {
            if (isFinished() || !thisAttempt.equals(attemptId)) return;
            toMember(member, new EcdsaMessage.SignRequest(thisAttempt, uInverse));
        }
    }

    private void maybeCombine() {
        if (phase != Phase.SHARES || signatureShares.size() < group.size()) return;
        Map<PublicPoint, Scalar> byPoint = new HashMap<>();
        signatureShares.forEach((n, s) -> byPoint.put(n.publicKey(), s));
        ThresholdEcdsaSignature sig;
        try {
            sig = ThresholdEcdsa.combineSignature(ids, groupPoints(), threshold, byPoint, nonceAggregate.publicKey(), messageHash,
                    version.commitments().get(0));
        } catch (RuntimeException e) {
            // Terminal (§11.5): no automatic retry with these nonces; a bad ss_i is not attributable.
            LOG.log(Level.WARNING, "ECDSA signing " + key + ": combined signature rejected: " + e.getMessage());
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        release(sig.toBytes());
    }

    private void blame(NodeId node, String reason) {
        if (isFinished()) return;
        votes.exclude(node);
        LOG.warning(() -> "ECDSA signing with key " + keyId.toHex() + " session " + key + ": node " + node.toHex()
                + " excluded (" + reason + ")");
        if (phase != Phase.CONSENSUS && phase != Phase.DONE && group.contains(node)) {
            if (phase == Phase.SHARES) {
                // u⁻¹ is out: the members' nonce shares are spent; a new attempt uses fresh ones.
                LOG.fine(() -> "ECDSA signing " + key + ": restarting after the signature-share round");
            }
            phase = Phase.CONSENSUS;
            clearAttempt();
            if (available().size() >= groupSize()) {
                startAttempt();
                return;
            }
        }
        checkReachable();
    }

    private void clearAttempt() {
        attemptId = null;
        group = List.of();
        dealerVectors.clear();
        readyReports.clear();
        nonceAggregate = null;
        inversionAggregate = null;
        zeroAggregate = null;
        us.clear();
        signatureShares.clear();
    }

    // ================================================================== member

    private void onMemberMessage(EcdsaMessage m) {
        if (m instanceof EcdsaMessage.ConsensusRequest r) {
            onConsensusRequest(r);
        } else if (m instanceof EcdsaMessage.NonceRequest r) {
            onNonceRequest(r);
        } else if (m instanceof EcdsaMessage.URequest r) {
            onURequest(r);
        } else if (m instanceof EcdsaMessage.SignRequest r) {
            onSignRequest(r);
        } else if (m instanceof EcdsaMessage.Done d && !isMaster()) {
            if (d.success()) {
                succeed(null);
            } else {
                fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            }
        }
    }

    private void onConsensusRequest(EcdsaMessage.ConsensusRequest r) {
        if (voted || !r.keyId().equals(keyId)) return;
        voted = true;
        consensusGroup = r.consensusGroup();
        try {
            version = storage.get(keyId).flatMap(s -> s.version(r.version())).filter(v -> v.idNumbers().containsKey(self)).orElse(null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ECDSA signing " + key + ": cannot read key " + keyId.toHex() + ": " + e.getMessage());
            version = null;
        }
        if (version == null || 2 * version.threshold() >= version.idNumbers().size()) {
            outbox.send(key.master(), new EcdsaMessage.ConsensusResponse(false));
            version = null;
            return;
        }
        threshold = version.threshold();
        ids = version.thresholdIds();
        askOwnAcl(r.requester(), PinnedBlock.fromWire(r.block()), allowed -> {
            approved = allowed;
            outbox.send(key.master(), new EcdsaMessage.ConsensusResponse(allowed));
        });
    }

    private Optional<String> refusal(EcdsaMessage.NonceRequest r) {
        if (!approved || version == null) return Optional.of("this node did not approve the request");
        if (!r.group().contains(self)) return Optional.of("not a member of the group");
        if (!consensusGroup.containsAll(r.group())) return Optional.of("group names a node outside the consensus");
        if (new HashSet<>(r.group()).size() != r.group().size()) return Optional.of("group lists a node twice");
        if (r.group().size() != 2 * threshold + 1) return Optional.of("group size is not 2t+1");
        return Optional.empty();
    }

    private void onNonceRequest(EcdsaMessage.NonceRequest r) {
        if (!answeredAttempts.add(r.attemptId())) return;
        dropMemberAttempt(); // the previous attempt's nonce shares are destroyed unused (SEC-08)
        Optional<String> refusal = refusal(r);
        if (refusal.isPresent()) {
            LOG.warning(() -> "ECDSA signing " + key + ": refused attempt " + r.attemptId() + " (" + refusal.get() + ")");
            toMaster(new EcdsaMessage.Refused(r.attemptId()));
            return;
        }
        H256 attempt = r.attemptId();
        memberAttempt = attempt;
        memberGroup = r.group();
        ProofContext ctx = new ProofContext(keyId, key.sessionId(), attempt, self.publicKey());
        SecretScalar s = version.share();
        Polynomial k = Polynomial.randomHedged(threshold, false, s, HedgedNonces.context(ctx, "secretstore/v1/ecdsa-k"), rng);
        Polynomial e = Polynomial.randomHedged(threshold, false, s, HedgedNonces.context(ctx, "secretstore/v1/ecdsa-e"), rng);
        Polynomial z = Polynomial.randomHedged(2 * threshold, true, s, HedgedNonces.context(ctx, "secretstore/v1/ecdsa-z"), rng);
        Vectors own;
        try {
            own = new Vectors(k.feldman(), e.feldman(), z.feldman());
            memberVectors.put(self, own);
            Scalar x = ids.of(self.publicKey());
            receivedShares.add(new SecretScalar[] {k.evaluate(x), e.evaluate(x), z.evaluate(x)});
            for (NodeId other : memberGroup) {
                if (other.equals(self)) continue;
                Scalar xo = ids.of(other.publicKey());
                SecretScalar ks = k.evaluate(xo);
                SecretScalar es = e.evaluate(xo);
                SecretScalar zs = z.evaluate(xo);
                try {
                    outbox.send(other, new EcdsaMessage.NonceDeal(attempt, own.k().points(), own.e().points(), own.z().points(), ks, es, zs));
                } finally {
                    ks.destroy();
                    es.destroy();
                    zs.destroy();
                }
            }
        } finally {
            k.destroy();
            e.destroy();
            z.destroy();
        }
        toMaster(new EcdsaMessage.NonceCommitment(attempt, own.k().points(), own.e().points(), own.z().points()));
        if (!attempt.equals(memberAttempt)) return;
        Map<NodeId, EcdsaMessage.NonceDeal> early = earlyDeals.remove(attempt);
        clearEarlyDeals();
        if (early != null) {
            for (Map.Entry<NodeId, EcdsaMessage.NonceDeal> en : early.entrySet()) {
                if (!attempt.equals(memberAttempt)) break;
                onDeal(en.getKey(), en.getValue());
            }
        }
        maybeReady();
    }

    private void onDeal(NodeId from, EcdsaMessage.NonceDeal d) {
        try {
            if (!consensusGroup.contains(from)) return;
            if (!d.attemptId().equals(memberAttempt)) {
                if (answeredAttempts.contains(d.attemptId())) return;
                Map<NodeId, EcdsaMessage.NonceDeal> byDealer = earlyDeals.get(d.attemptId());
                if (byDealer == null) {
                    if (earlyDeals.size() >= consensusGroup.size()) return;
                    byDealer = new HashMap<>();
                    earlyDeals.put(d.attemptId(), byDealer);
                }
                if (!byDealer.containsKey(from)) {
                    byDealer.put(from, new EcdsaMessage.NonceDeal(d.attemptId(), d.nonceVector(), d.inversionVector(), d.zeroVector(),
                            d.nonceShare().copy(), d.inversionShare().copy(), d.zeroShare().copy()));
                }
                return;
            }
            if (memberFailed || readySent || !memberGroup.contains(from) || memberVectors.containsKey(from)) return;
            Scalar x = ids.of(self.publicKey());
            Vectors v;
            try {
                v = Vectors.checked(from, d.nonceVector(), d.inversionVector(), d.zeroVector(), threshold);
                Dkg.verifyFeldmanShare(from.publicKey(), v.k(), threshold, x, d.nonceShare());
                Dkg.verifyFeldmanShare(from.publicKey(), v.e(), threshold, x, d.inversionShare());
                Dkg.verifyZeroShare(from.publicKey(), v.z(), 2 * threshold, x, d.zeroShare());
            } catch (RuntimeException ex) {
                LOG.warning(() -> "ECDSA signing " + key + ": nonce deal from " + from.shortId() + " rejected: " + ex.getMessage());
                memberFailed = true;
                destroyShares();
                toMaster(new EcdsaMessage.NonceComplaint(memberAttempt, from));
                return;
            }
            memberVectors.put(from, v);
            receivedShares.add(new SecretScalar[] {d.nonceShare().copy(), d.inversionShare().copy(), d.zeroShare().copy()});
            maybeReady();
        } finally {
            d.nonceShare().destroy();
            d.inversionShare().destroy();
            d.zeroShare().destroy();
        }
    }

    private void maybeReady() {
        if (memberAttempt == null || memberFailed || readySent || memberVectors.size() < memberGroup.size()) return;
        readySent = true;
        List<SecretScalar> k = new ArrayList<>();
        List<SecretScalar> e = new ArrayList<>();
        List<SecretScalar> z = new ArrayList<>();
        for (SecretScalar[] triple : receivedShares) {
            k.add(triple[0]);
            e.add(triple[1]);
            z.add(triple[2]);
        }
        nonceShares = ThresholdEcdsa.NonceShares.of(Dkg.combineShares(k), Dkg.combineShares(e), Dkg.combineShares(z));
        destroyReceived();
        List<SchnorrMessage.VectorHash> seen = new ArrayList<>();
        for (NodeId dealer : memberGroup) seen.add(new SchnorrMessage.VectorHash(dealer, memberVectors.get(dealer).hash()));
        toMaster(new EcdsaMessage.NonceReady(memberAttempt, seen));
    }

    private void onURequest(EcdsaMessage.URequest r) {
        if (r.attemptId().equals(memberAttempt) && uSent) {
            LOG.warning(() -> "ECDSA signing " + key + ": ignored a repeated u request for attempt " + r.attemptId() + " (SEC-08)");
            return;
        }
        if (!r.attemptId().equals(memberAttempt) || nonceShares == null) {
            toMaster(new EcdsaMessage.Refused(r.attemptId()));
            return;
        }
        uSent = true;
        ThresholdEcdsa.UShare u;
        try {
            u = nonceShares.computeU(new ProofContext(keyId, key.sessionId(), memberAttempt, self.publicKey()), rng);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ECDSA signing " + key + ": cannot compute u_i: " + e.getMessage());
            destroyShares();
            toMaster(new EcdsaMessage.Refused(r.attemptId()));
            return;
        }
        toMaster(new EcdsaMessage.UShare(r.attemptId(), u.u(), u.proof().toBytes()));
    }

    private void onSignRequest(EcdsaMessage.SignRequest r) {
        if (r.attemptId().equals(memberAttempt) && signed) {
            LOG.warning(() -> "ECDSA signing " + key + ": ignored a repeated signature-share request for attempt " + r.attemptId()
                    + " (SEC-08: one share per nonce sharing)");
            return;
        }
        if (!r.attemptId().equals(memberAttempt) || nonceShares == null || !uSent) {
            // SEC-08: one signature share per nonce sharing; unknown, stale or repeated requests are refused.
            LOG.warning(() -> "ECDSA signing " + key + ": refused signature-share request for attempt " + r.attemptId());
            toMaster(new EcdsaMessage.Refused(r.attemptId()));
            return;
        }
        signed = true;
        Scalar ss;
        try {
            PointSum acc = new PointSum();
            for (NodeId m : memberGroup) acc.add(memberVectors.get(m).k().get(0));
            ss = nonceShares.signatureShare(r.uInverse(), acc.toPoint(), messageHash, version.share());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ECDSA signing " + key + ": cannot compute signature share: " + e.getMessage());
            toMaster(new EcdsaMessage.Refused(r.attemptId()));
            return;
        } finally {
            destroyShares();
        }
        toMaster(new EcdsaMessage.SignatureShare(r.attemptId(), ss));
    }

    private void destroyShares() {
        if (nonceShares != null) {
            nonceShares.destroy();
            nonceShares = null;
        }
        destroyReceived();
    }

    private void destroyReceived() {
        for (SecretScalar[] triple : receivedShares) {
            for (SecretScalar s : triple) s.destroy();
        }
        receivedShares.clear();
    }

    private void dropMemberAttempt() {
        destroyShares();
        memberAttempt = null;
        memberGroup = List.of();
        memberVectors.clear();
        memberFailed = false;
        readySent = false;
        uSent = false;
        signed = false;
    }

    private void clearEarlyDeals() {
        for (Map<NodeId, EcdsaMessage.NonceDeal> m : earlyDeals.values()) {
            for (EcdsaMessage.NonceDeal d : m.values()) {
                d.nonceShare().destroy();
                d.inversionShare().destroy();
                d.zeroShare().destroy();
            }
        }
        earlyDeals.clear();
    }

    // ================================================================== test hooks

    Set<NodeId> excludedNodes() {
        return votes.excluded();
    }

    int attemptCount() {
        return attempts;
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
        if (phase != Phase.CONSENSUS && phase != Phase.DONE && group.contains(node)) {
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
                if (!n.equals(self)) outbox.send(n, new EcdsaMessage.Done(!result().isDone() && failure().isEmpty()));
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

    private void audit(String outcome) {
        LOG.info(() -> "ECDSA signing key " + keyId.toHex() + " requester " + (requester == null ? "?" : requester.address())
                + " message " + messageHash.toHex() + " session " + key + ": " + outcome
                + (votes.excluded().isEmpty() ? "" : "; excluded " + votes.excluded().stream().map(NodeId::shortId).sorted().toList()));
    }
}
