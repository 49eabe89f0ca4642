package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.acl.PinnedBlock;
import dev.secretstore.protocol.key.DocumentKey;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
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
 * HTTP endpoints 5 (non-shadow) and 6 (shadow): document key retrieval (http-api.md §6.2,
 * crypto.md §10.5, §10.6, §11.2, §11.3).
 *
 * <p><b>Master.</b> Unknown key → 404 {@code SERVER_KEY_IS_NOT_FOUND}; no (C, E) → 404
 * {@code DOCUMENT_KEY_IS_NOT_FOUND}. It uses its newest committed version (SEC-26) and asks every
 * connected holder of it, itself included, whether the requester may use the key; each node answers
 * from its own ACL, asynchronously, back on the cluster loop (acl-and-config.md §1, SEC-21: errors deny).
 * As soon as {@code t+1} said yes, it picks the {@code t+1} lowest node ids among them, draws a fresh
 * attempt id and access key {@code a} and asks that group for partials. Every partial is verified
 * (DLEQ against {@code Y_i} from the master's own commitments, SEC-12) before use; a member that fails
 * verification, refuses, or disconnects is excluded and logged, and the computation restarts with a new
 * group, attempt id and access key while enough yes-sayers remain (identifiable abort, §11.3). When
 * {@code t+1} yes can no longer happen the request fails with 403 {@code CONSENSUS_UNREACHABLE}.
 *
 * <p><b>Holder.</b> Answers the consensus (no without an ACL call if it lacks the version), then computes
 * a partial only for an attempt whose group consists of nodes of the consensus, contains itself, and whose
 * requester key matches the address it approved; each attempt id is answered at most once.
 */
public final class DecryptionSession extends AbstractSession<DecryptionSession.Result> {
    private static final Logger LOG = Logger.getLogger(DecryptionSession.class.getName());
    /** {@code ecies(requester, d_i)}: 113 bytes of overhead plus the 32-byte scalar. */
    static final int DECRYPT_SHADOW_BLOB_LENGTH = Ecies.OVERHEAD + 32;

    /** What the master returns; holders finish with {@code null}. */
    public sealed interface Result permits Plain, Shadows {}

    /** Endpoint 5: {@code ecies(requester_public, 00 00, M)}, 177 bytes. */
    public record Plain(byte[] encryptedDocumentKey) implements Result {}

    /** Endpoint 6: decrypted secret, common point and the shadows ordered by ascending node id. */
    public record Shadows(KeyServer.ShadowRetrieval retrieval) implements Result {}

    private enum Phase { CONSENSUS, COMPUTING, DONE }

    private final KeyStorage storage;
    private final AclChecker acl;
    private final Executor reentry;
    private final SecureRandom rng;
    private final H256 keyId;

    // ---- master state
    private Requester requester;
    private boolean shadow;
    private KeyVersion version;
    private IdNumbers ids;
    private KeyCommitments commitments;
    private EncryptedDocumentKey documentKey;
    private int threshold;
    private final ConsensusVotes votes = new ConsensusVotes();
    private Phase phase = Phase.CONSENSUS;
    private H256 attemptId;
    private SecretScalar accessKey;
    private List<NodeId> group = List.of();
    private final Map<NodeId, Decryption.Share> shares = new HashMap<>();
    private final Map<NodeId, Decryption.ShadowShare> shadowShares = new HashMap<>();
    private final Map<NodeId, byte[]> blobs = new TreeMap<>();
    private int attempts;

    // ---- holder state
    private Address approvedRequester;
    private H256 approvedVersion;
    private List<NodeId> consensusGroup = List.of();
    private boolean voted;
    private boolean approved;
    private final Set<H256> answeredAttempts = new HashSet<>();

    private DecryptionSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                              AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.acl = acl;
        this.reentry = reentry;
        this.rng = rng;
        this.keyId = keyId;
    }

    // ================================================================== creation

    /**
     * Starts the master side. The returned session may already be finished (404, or too few connected
     * holders). {@code reentry} must be {@link ClusterSessions#reentry(SessionKey)} for {@code key}.
     */
    public static DecryptionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                boolean shadow, SecureRandom rng) {
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
        DecryptionSession s = new DecryptionSession(key, self, asked, outbox, storage, acl, reentry, rng, keyId);
        s.requester = requester;
        s.shadow = shadow;
        if (share.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        Optional<DocumentKey> dk = share.get().documentKey();
        if (dk.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.DOCUMENT_KEY_IS_NOT_FOUND));
            return s;
        }
        s.version = version;
        s.threshold = version.threshold();
        s.ids = version.thresholdIds();
        s.commitments = KeyCommitments.of(version.commitments());
        s.documentKey = new EncryptedDocumentKey(dk.get().commonPoint(), dk.get().encryptedPoint());
        if (!version.idNumbers().containsKey(self)) {
            s.votes.abstain(self); // coordinates without a vote
        }
        if (s.checkReachable()) return s;
        s.pinBlockAndAsk(List.copyOf(asked));
        return s;
    }

    /**
     * Picks the chain block every member checks at (acl-and-config.md §2.3), then asks the consensus.
     * Without a chain (or when the head is already known) this happens before {@code startMaster} returns;
     * otherwise on the loop once the head arrives. A head the checker cannot give denies (SEC-21).
     */
    private void pinBlockAndAsk(List<NodeId> consensus) {
        PinnedBlock.pin(acl, reentry, block -> askConsensus(consensus, block, null), error -> askConsensus(consensus, null, error));
    }

    private void askConsensus(List<NodeId> consensus, OptionalLong block, Throwable error) {
        if (isFinished()) return;
        if (error != null || block == null) {
            LOG.warning(() -> "ACL denied key " + keyId.toHex() + " for " + requester.address() + " in " + key
                    + ": cannot pin a chain block: " + (error == null ? "no answer" : error));
            fail(SecretStoreException.of(Kind.INTERNAL, "cannot read the chain head for the ACL check")); // §2.4
            return;
        }
        long pinned = PinnedBlock.toWire(block);
        broadcast(new DecryptionMessage.ConsensusRequest(keyId, requester.address(), version.hash(), consensus, pinned));
        if (version.idNumbers().containsKey(self)) {
            askOwnAcl(requester.address(), block, allowed -> onVote(self, allowed));
        }
    }

    /** The factory the session manager uses to create a holder's side from a {@link DecryptionMessage.ConsensusRequest}. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof DecryptionMessage.ConsensusRequest m)) return Optional.empty();
            NodeId self = cluster.self();
            if (!m.consensusGroup().contains(self) || !m.consensusGroup().contains(init.master())) return Optional.empty();
            Set<NodeId> participants = Set.of(self, init.master());
            return Optional.of(new DecryptionSession(init.key(), self, participants, outbox, storage, acl,
                    sessions.reentry(init.key()), rng, m.keyId()));
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
            LOG.info(() -> "ACL " + (allowed ? "allowed" : "denied") + " key " + keyId.toHex() + " for " + address
                    + " in " + key + " at " + (decision == null ? "error: " + error : decision.evaluatedAt()));
            then.accept(allowed);
        }, reentry);
    }

    // ================================================================== messages

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof DecryptionMessage m)) return;
        if (isMaster()) {
            onMasterMessage(from, m);
        } else if (from.equals(key.master())) {
            onHolderMessage(m);
        }
    }

    // ------------------------------------------------------------------ master

    private void onMasterMessage(NodeId from, DecryptionMessage m) {
        if (from.equals(self)) return;
        if (m instanceof DecryptionMessage.ConsensusResponse r) {
            onVote(from, r.allowed());
        } else if (m instanceof DecryptionMessage.PartialResponse r) {
            if (!expectsPartialFrom(from, r.attemptId()) || shadow) return;
            Decryption.Share share;
            try {
                share = new Decryption.Share(r.shadowPoint(), DleqProof.fromBytes(from.publicKey(), r.proof()));
                Decryption.verifyShare(context(from), ids, groupPoints(), commitments, accessKey, documentKey.commonPoint(), share);
            } catch (RuntimeException e) {
                blame(from, "invalid shadow point or proof: " + e.getMessage());
                return;
            }
            shares.put(from, share);
            maybeCombine();
        } else if (m instanceof DecryptionMessage.ShadowPartialResponse r) {
            if (!expectsPartialFrom(from, r.attemptId()) || !shadow) return;
            Decryption.ShadowShare share;
            try {
                if (r.encryptedDecryptShadow().length != DECRYPT_SHADOW_BLOB_LENGTH) {
                    throw new IllegalArgumentException("decrypt shadow blob has " + r.encryptedDecryptShadow().length + " bytes");
                }
                share = new Decryption.ShadowShare(r.shadowPoint(), r.w(), DleqProof.fromBytes(from.publicKey(), r.proof()));
                Decryption.verifyShadowShare(context(from), ids, groupPoints(), commitments, accessKey, documentKey.commonPoint(), share);
            } catch (RuntimeException e) {
                blame(from, "invalid shadow point or proof: " + e.getMessage());
                return;
            }
            shadowShares.put(from, share);
            blobs.put(from, r.encryptedDecryptShadow().clone());
            maybeCombine();
        } else if (m instanceof DecryptionMessage.PartialRefused r) {
            if (expectsPartialFrom(from, r.attemptId())) blame(from, "refused the decryption request");
        }
        // holders never send the master's other messages; anything else is ignored
    }

    private boolean expectsPartialFrom(NodeId from, H256 attempt) {
        return phase == Phase.COMPUTING && attempt.equals(attemptId) && group.contains(from)
                && !shares.containsKey(from) && !shadowShares.containsKey(from);
    }

    private ProofContext context(NodeId prover) {
        return new ProofContext(keyId, key.sessionId(), attemptId, prover.publicKey());
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

    /** Yes-sayers not excluded, ascending. */
    private List<NodeId> available() {
        return votes.available();
    }

    /** Fails with 403 once {@code t+1} usable yes votes can no longer happen; true if it failed. */
    private boolean checkReachable() {
        if (!votes.reachable(participants, threshold + 1)) {
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return true;
        }
        return false;
    }

    /** A fresh attempt: new group (lowest ids among usable yes-sayers), new attempt id, new access key. */
    private void startAttempt() {
        clearAttempt();
        phase = Phase.COMPUTING;
        attempts++;
        group = List.copyOf(available().subList(0, threshold + 1));
        byte[] id = new byte[32];
        rng.nextBytes(id);
        attemptId = H256.fromBytes(id);
        accessKey = SecretScalar.random(rng);
        LOG.fine(() -> "decryption " + key + " attempt " + attempts + " with group " + group.stream().map(NodeId::shortId).toList());
        H256 thisAttempt = attemptId;
        for (NodeId member : group) {
            if (!member.equals(self)) {
                // The outbox encodes synchronously (ClusterSessions → codec), so the copy can be wiped right after.
                SecretScalar copy = accessKey.copy();
                try {
                    outbox.send(member, new DecryptionMessage.PartialRequest(attemptId, group, copy, shadow, requester.publicKey()));
                } finally {
                    copy.destroy();
                }
            }
        }
        if (group.contains(self)) {
            computeOwnPartial();
        }
        if (!isFinished() && phase == Phase.COMPUTING && thisAttempt.equals(attemptId)) maybeCombine();
    }

    /** The master's own partial goes through the same verification as everyone else's. */
    private void computeOwnPartial() {
        SecretScalar share = version.share();
        if (shadow) {
            Decryption.ShadowOutput out = Decryption.nodeShadowShare(context(self), ids, groupPoints(), threshold, share,
                    accessKey, documentKey.commonPoint(), rng);
            byte[] blob;
            try {
                blob = encryptScalar(requester.publicKey(), out.decryptShadow());
            } finally {
                out.destroy();
            }
            ShadowShareWire w = ShadowShareWire.of(out.toMaster());
            onMasterMessageFromSelf(new DecryptionMessage.ShadowPartialResponse(attemptId, w.p(), w.w(), w.proof(), blob));
        } else {
            Decryption.Share out = Decryption.nodeShare(context(self), ids, groupPoints(), threshold, share, accessKey,
                    documentKey.commonPoint(), rng);
            onMasterMessageFromSelf(new DecryptionMessage.PartialResponse(attemptId, out.shadowPoint(), out.proof().toBytes()));
        }
    }

    private record ShadowShareWire(PublicPoint p, PublicPoint w, byte[] proof) {
        static ShadowShareWire of(Decryption.ShadowShare s) {
            return new ShadowShareWire(s.shadowPoint(), s.w(), s.proof().toBytes());
        }
    }

    private void onMasterMessageFromSelf(DecryptionMessage m) {
        // Same path as a member's response, minus the "not from self" guard.
        NodeId from = self;
        if (m instanceof DecryptionMessage.PartialResponse r && expectsPartialFrom(from, r.attemptId())) {
            Decryption.Share share = new Decryption.Share(r.shadowPoint(), DleqProof.fromBytes(from.publicKey(), r.proof()));
            try {
                Decryption.verifyShare(context(from), ids, groupPoints(), commitments, accessKey, documentKey.commonPoint(), share);
            } catch (RuntimeException e) {
                blame(from, "own partial failed verification: " + e.getMessage());
                return;
            }
            shares.put(from, share);
        } else if (m instanceof DecryptionMessage.ShadowPartialResponse r && expectsPartialFrom(from, r.attemptId())) {
            Decryption.ShadowShare share = new Decryption.ShadowShare(r.shadowPoint(), r.w(), DleqProof.fromBytes(from.publicKey(), r.proof()));
            try {
                Decryption.verifyShadowShare(context(from), ids, groupPoints(), commitments, accessKey, documentKey.commonPoint(), share);
            } catch (RuntimeException e) {
                blame(from, "own partial failed verification: " + e.getMessage());
                return;
            }
            shadowShares.put(from, share);
            blobs.put(from, r.encryptedDecryptShadow());
        }
    }

    /** Identifiable abort (crypto.md §11.3): exclude, log, restart with a fresh attempt if possible. */
    private void blame(NodeId node, String reason) {
        if (isFinished() || votes.isExcluded(node)) return;
        votes.exclude(node);
        LOG.warning(() -> "decryption of key " + keyId.toHex() + " session " + key + ": node " + node.toHex()
                + " excluded (" + reason + ")");
        if (phase == Phase.COMPUTING && group.contains(node)) {
            phase = Phase.CONSENSUS;
            clearAttempt();
            if (available().size() >= threshold + 1) {
                startAttempt();
                return;
            }
        }
        checkReachable();
    }

    private void maybeCombine() {
        if (phase != Phase.COMPUTING) return;
        int received = shadow ? shadowShares.size() : shares.size();
        if (received < group.size()) return;
        // Every entry was verified on receipt (SEC-12); never combine anything else.
        if (shadow) {
            Decryption.ShadowResult r = Decryption.combineShadow(documentKey, accessKey, threshold, byPoint(shadowShares));
            List<byte[]> ordered = new ArrayList<>(blobs.values()); // TreeMap: ascending node id
            phase = Phase.DONE;
            succeed(new Shadows(new KeyServer.ShadowRetrieval(r.decryptedSecret(), r.commonPoint(), ordered)));
        } else {
            PublicPoint m = Decryption.combine(documentKey, accessKey, threshold, byPoint(shares));
            byte[] plain = m.toBytes();
            byte[] blob;
            try {
                blob = Ecies.encryptToClient(requester.publicKey(), plain);
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
            phase = Phase.DONE;
            succeed(new Plain(blob));
        }
    }

    private static <V> Map<PublicPoint, V> byPoint(Map<NodeId, V> m) {
        Map<PublicPoint, V> out = new HashMap<>();
        m.forEach((node, v) -> out.put(node.publicKey(), v));
        return out;
    }

    private void clearAttempt() {
        if (accessKey != null) {
            accessKey.destroy();
            accessKey = null;
        }
        attemptId = null;
        group = List.of();
        shares.clear();
        shadowShares.clear();
        blobs.clear();
    }

    // ------------------------------------------------------------------ holder

    private void onHolderMessage(DecryptionMessage m) {
        if (m instanceof DecryptionMessage.ConsensusRequest r) {
            onConsensusRequest(r);
        } else if (m instanceof DecryptionMessage.PartialRequest r) {
            onPartialRequest(r);
        } else if (m instanceof DecryptionMessage.Done d) {
            if (d.success()) {
                succeed(null);
            } else {
                fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            }
        }
    }

    private void onConsensusRequest(DecryptionMessage.ConsensusRequest r) {
        if (voted || !r.keyId().equals(keyId)) return; // duplicate
        voted = true;
        approvedRequester = r.requester();
        approvedVersion = r.version();
        consensusGroup = r.consensusGroup();
        boolean holds;
        try {
            holds = storage.get(keyId).flatMap(s -> s.version(r.version())).map(v -> v.idNumbers().containsKey(self)).orElse(false);
        } catch (RuntimeException e) {
            // A damaged store cannot serve this key; answer no at once rather than leaving the master waiting.
            LOG.log(Level.WARNING, "decryption " + key + ": cannot read key " + keyId.toHex() + ": " + e.getMessage());
            holds = false;
        }
        if (!holds) {
            // acl-and-config.md §1: a node without the chosen version says no without calling the ACL.
            outbox.send(key.master(), new DecryptionMessage.ConsensusResponse(false));
            return;
        }
        OptionalLong block = PinnedBlock.fromWire(r.block());
        askOwnAcl(r.requester(), block, allowed -> {
            if (isFinished()) return;
            approved = allowed;
            outbox.send(key.master(), new DecryptionMessage.ConsensusResponse(allowed));
        });
    }

    private void onPartialRequest(DecryptionMessage.PartialRequest r) {
        try {
            if (!answeredAttempts.add(r.attemptId())) return; // each attempt id is answered once (duplicates, SEC-18)
            Optional<String> refusal = refusal(r);
            if (refusal.isPresent()) {
                LOG.warning(() -> "decryption " + key + ": refused attempt " + r.attemptId() + " (" + refusal.get() + ")");
                outbox.send(key.master(), new DecryptionMessage.PartialRefused(r.attemptId()));
                return;
            }
            KeyShare share = storage.get(keyId).orElseThrow();
            KeyVersion v = share.version(approvedVersion).orElseThrow();
            DocumentKey dk = share.documentKey().orElseThrow();
            IdNumbers versionIds = v.thresholdIds();
            List<PublicPoint> g = r.group().stream().map(NodeId::publicKey).toList();
            ProofContext ctx = new ProofContext(keyId, key.sessionId(), r.attemptId(), self.publicKey());
            if (r.shadow()) {
                Decryption.ShadowOutput out = Decryption.nodeShadowShare(ctx, versionIds, g, v.threshold(), v.share(),
                        r.accessKey(), dk.commonPoint(), rng);
                try {
                    byte[] blob = encryptScalar(r.requesterPublic(), out.decryptShadow());
                    Decryption.ShadowShare s = out.toMaster();
                    outbox.send(key.master(), new DecryptionMessage.ShadowPartialResponse(r.attemptId(), s.shadowPoint(), s.w(),
                            s.proof().toBytes(), blob));
                } finally {
                    out.destroy();
                }
            } else {
                Decryption.Share s = Decryption.nodeShare(ctx, versionIds, g, v.threshold(), v.share(), r.accessKey(),
                        dk.commonPoint(), rng);
                outbox.send(key.master(), new DecryptionMessage.PartialResponse(r.attemptId(), s.shadowPoint(), s.proof().toBytes()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "decryption " + key + ": cannot compute partial: " + e.getMessage());
            outbox.send(key.master(), new DecryptionMessage.PartialRefused(r.attemptId()));
        } finally {
            r.accessKey().destroy();
        }
    }

    /** Why this node will not compute a partial for {@code r}, if it will not. */
    private Optional<String> refusal(DecryptionMessage.PartialRequest r) {
        if (!approved) return Optional.of("this node did not approve the request");
        if (!r.requesterPublic().toAddress().equals(approvedRequester)) return Optional.of("requester differs from the approved one");
        if (!r.group().contains(self)) return Optional.of("not a member of the group");
        if (!consensusGroup.containsAll(r.group())) return Optional.of("group names a node outside the consensus");
        if (new HashSet<>(r.group()).size() != r.group().size()) return Optional.of("group lists a node twice");
        return Optional.empty();
    }

    private static byte[] encryptScalar(PublicPoint recipient, SecretScalar value) {
        byte[] plain = value.toBytes();
        try {
            return Ecies.encryptToClient(recipient, plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Master: nodes excluded from this request (blamed, refused, disconnected). For tests and metrics. */
    Set<NodeId> excludedNodes() {
        return votes.excluded();
    }

    /** Master: how many computation attempts were started. */
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
        if (phase == Phase.COMPUTING && group.contains(node)) {
            blame(node, "disconnected during the computation");
        } else if (votes.exclude(node)) {
            // An undecided voter counts as no; a spare yes-sayer is no longer usable.
            checkReachable();
        }
    }

    @Override
    protected void onFinish() {
        phase = Phase.DONE;
        if (isMaster()) {
            clearAttempt();
            for (NodeId n : participants) {
                if (!n.equals(self)) outbox.send(n, new DecryptionMessage.Done(!result().isDone() && failure().isEmpty()));
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
    protected void succeed(Result value) {
        boolean wasFinished = isFinished();
        super.succeed(value);
        if (!wasFinished && isMaster()) audit("succeeded after " + attempts + " attempt(s)");
    }

    /** SEC-29: one line per client request, no secrets. */
    private void audit(String outcome) {
        LOG.info(() -> "document key retrieval (" + (shadow ? "shadow" : "plain") + ") key " + keyId.toHex() + " requester "
                + (requester == null ? "?" : requester.address()) + " session " + key + ": " + outcome
                + (votes.excluded().isEmpty() ? "" : "; excluded " + votes.excluded().stream().map(NodeId::shortId).sorted().toList()));
    }
}
